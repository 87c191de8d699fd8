"""`bouwregie worker`: the process that runs background jobs (imports, forecasts, calibrations).

django-tasks-db's `db_worker`, with our defaults: the default queue, a poll every second, no autoreload,
a worker id naming machine and process. Run one or more beside the web server; in production several, on
several machines, against one PostgreSQL (docs/productie.md). `--batch` runs what is queued and stops.

db_worker is used, not inherited: its module defines models, so importing it needs Django's app registry,
and `bouwregie --help` lists this command without setting Django up (issue #22).
"""

import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    help = _(
        "Achtergrondtaken uitvoeren (imports, prognoses, kalibratie); meerdere workers mogen naast elkaar draaien."
    )

    def db_worker(self):
        from django_tasks_db.management.commands.db_worker import Command as DbWorker

        return DbWorker(stdout=self.stdout, stderr=self.stderr)

    def add_arguments(self, parser):
        self.db_worker().add_arguments(parser)
        parser.set_defaults(reload=False, worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64])
        parser.add_argument(
            "--stop-with-parent", action="store_true", help=_("stoppen zodra het proces dat deze worker startte stopt")
        )

    def handle(self, *args, stop_with_parent=False, **options):
        if stop_with_parent:
            _stop_with(os.getppid())
        return self.db_worker().handle(*args, **options)


def _stop_with(parent: int) -> None:
    """SIGTERM ourselves when `parent` is gone (we are re-parented): the worker's own graceful stop then ends the
    running job's turn or exits at once when idle."""

    def watch():
        while os.getppid() == parent:
            threading.Event().wait(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()
