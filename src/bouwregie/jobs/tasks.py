"""The one Django task behind every job (runner.py): run the Job with this id in the worker that took it."""

from django.tasks import task


@task()
def run_job(job_id: int) -> None:
    from bouwregie.jobs import runner

    runner.run(job_id)
