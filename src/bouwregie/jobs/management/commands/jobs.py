"""`bouwregie jobs`: what the background jobs are doing, for an operator at the command line.

`jobs list` (newest first), `jobs show N` (the state a user sees, as JSON), `jobs retry N` (start an
interrupted or failed job again; runner.retry)."""

import json

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Achtergrondtaken: 'jobs list', 'jobs show N', 'jobs retry N'.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help=_("de laatste taken, nieuwste eerst"))
        listing.add_argument("--limit", type=int, default=20)
        for name, text in (("show", _("de toestand van één taak (JSON)")), ("retry", _("een taak opnieuw starten"))):
            sub.add_parser(name, help=text).add_argument("job", type=int)

    def handle(self, *args, action, **options):
        from bouwregie.jobs import runner
        from bouwregie.jobs.models import Job

        if action == "list":
            for job in Job.objects.order_by("-id")[: options["limit"]]:
                state = runner.state(job)
                self.stdout.write(f"#{job.pk:<6} {state['status']:<12} {job.progress:>3}%  {job.worker or '-':<24} "
                                  f"{job.title}")  # fmt: skip
            return
        job = Job.objects.filter(pk=options["job"]).first()
        if job is None:
            raise CommandError(_("Taak #%s bestaat niet.") % options["job"])
        if action == "show":
            shown = {"id": job.pk, "title": job.title, **runner.state(job), "result": job.result,
                     "worker": job.worker, "retry_of": job.retry_of_id}  # fmt: skip
            self.stdout.write(json.dumps(shown, ensure_ascii=False))
            return
        try:
            again = runner.retry(job)
        except ValueError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(_("Taak #%(job)s opnieuw gestart als taak #%(again)s.") % {"job": job.pk, "again": again.pk})
