"""`bouwregie worker`: the process that runs background jobs (imports, forecasts, calibrations).

django-tasks-db's `db_worker`, with our defaults: the default queue, a poll every second, no autoreload,
a worker id naming machine and process. Run one or more beside the web server; in production several, on
several machines, against one PostgreSQL (docs/productie.md). `--batch` runs what is queued and stops.

db_worker is used, not inherited: its module defines models, so importing it needs Django's app registry,
and `bouwregie --help` lists this command without setting Django up (issue #22).

A worker takes one task at a time (db_worker's loop runs each task to its end before it asks for the next), and
it runs at a lower CPU priority (`--nice`, BOUWREGIE_WORKER_NICE, default 10): on a machine whose cores the web
server shares, a forecast then yields to pages instead of taking a core from them (issue #22: page p95 unchanged
while 10 forecasts are submitted; docs/decisions/0004-taken-in-een-worker.md).
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
        parser.add_argument(
            "--nice", type=int, default=None, choices=range(20), metavar="0-19",
            help=_("CPU-prioriteit (niceness 0–19; hoger is lager) zodat pagina's voorgaan "
                   "(standaard $BOUWREGIE_WORKER_NICE of 10)"),
        )  # fmt: skip

    def handle(self, *args, stop_with_parent=False, nice=None, **options):
        from django.conf import settings

        lower_priority(settings.JOB_WORKER_NICE if nice is None else nice)
        if stop_with_parent:
            _stop_with(os.getppid())
        return self.db_worker().handle(*args, **options)


def lower_priority(niceness: int) -> int:
    """Raise this process's niceness to `niceness` (never lower it: that needs privileges and a worker has no
    reason to outrank the pages; the kernel caps it at 19). Returns the niceness now in force."""
    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    return current


def _stop_with(parent: int) -> None:
    """SIGTERM ourselves when `parent` is gone (we are re-parented): the worker's own graceful stop then ends the
    running job's turn or exits at once when idle."""

    def watch():
        while os.getppid() == parent:
            threading.Event().wait(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()
