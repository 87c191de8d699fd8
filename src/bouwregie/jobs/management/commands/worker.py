"""`bouwregie worker`: the process that runs background jobs (imports, forecasts, calibrations).

django-tasks-db's `db_worker`, with our defaults: the default queue, a poll every second, no autoreload,
a worker id naming machine and process. Run one or more beside the web server; in production several, on
several machines, against one PostgreSQL (docs/productie.md). `--batch` runs what is queued and stops.

db_worker is used, not inherited: its module defines models, so importing it needs Django's app registry,
and `bouwregie --help` and `bouwregie worker --help` answer without setting Django up (issue #22: under 0,5 s;
loading django-tasks-db alone takes ~0,35 s). Its options are therefore declared here, with Dutch and English
help like every other command, and checked by its own validators, imported when an option is given;
tests/test_cli.py fails when db_worker gains, loses or changes an option this list does not follow.

A worker takes one task at a time (db_worker's loop runs each task to its end before it asks for the next), and
it runs at a lower CPU priority (`--nice`, BOUWREGIE_WORKER_NICE, default 10): on a machine whose cores the web
server shares, a forecast then yields to pages instead of taking a core from them (issue #22: page p95 unchanged
while 10 forecasts are submitted; docs/decisions/0004-taken-in-een-worker.md).
"""

import argparse
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
        """db_worker's options (its names, destinations and defaults; ours: no autoreload, a worker id naming
        machine and process), then ours."""
        parser.add_argument(
            "--queue-name",
            nargs="?",
            default="default",
            type=str,
            metavar=_("WACHTRIJEN"),
            help=_("de wachtrijen om te verwerken, gescheiden door komma's; '*' voor alle (standaard: %(default)s)"),
        )
        parser.add_argument(
            "--exclude-queues",
            nargs="?",
            default="",
            type=str,
            metavar=_("WACHTRIJEN"),
            help=_("wachtrijen om over te slaan, gescheiden door komma's (alleen met --queue-name='*')"),
        )
        parser.add_argument(
            "--interval",
            nargs="?",
            default=1,
            type=_check("valid_interval"),
            metavar=_("SECONDEN"),
            help=_("seconden wachten als er geen taak klaarstaat, voor de volgende vraag (standaard: %(default)s)"),
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help=_("alle klaarstaande taken uitvoeren en dan stoppen (samen te gebruiken met --max-tasks)"),
        )
        parser.add_argument(
            "--reload",
            action=argparse.BooleanOptionalAction,
            default=False,
            help=_("herstarten als de code verandert; niet voor productie (standaard: uit)"),
        )
        parser.add_argument(
            "--backend",
            nargs="?",
            default="default",
            type=_check("valid_backend_name"),
            dest="backend_name",
            metavar="BACKEND",
            help=_("de takenbackend (standaard: %(default)s)"),
        )
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help=_("niet even wachten bij het starten"),
        )
        parser.add_argument(
            "--max-tasks",
            nargs="?",
            default=None,
            type=_check("valid_max_tasks"),
            metavar=_("AANTAL"),
            help=_("stoppen na zoveel taken"),
        )
        parser.add_argument(
            "--worker-id",
            nargs="?",
            default=f"{socket.gethostname()}-{os.getpid()}"[:64],
            type=_check("validate_worker_id"),
            metavar="ID",
            help=_("de naam van deze worker, uniek onder alle workers (standaard: machine-proces)"),
        )
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


def _check(validator: str):
    """db_worker's own validator `validator` for an option's value, imported only when the option is given (its
    module needs Django set up; --help does not)."""

    def check(value: str):
        from django_tasks_db.management.commands import db_worker

        return getattr(db_worker, validator)(value)

    check.__name__ = validator.removeprefix("valid_").removeprefix("validate_")  # argparse names it in errors
    return check


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
