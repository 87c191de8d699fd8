"""`bouwregie serve`: gunicorn with the gthread worker (docs/decisions/0007-gthread-web-server.md).

Each worker process answers requests in a pool of threads and keeps idle keep-alive connections in a poller
instead of in a thread, so a browser's open connections never make another request wait (issue #19: with
2 synchronous workers, two idle connections stalled every other visitor for 30 s). Worker, thread, timeout
and keep-alive counts come from the options, else from the environment (docs/productie.md), else the
defaults below.
"""

import os
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

# (option, environment variable, default, what it means) — docs/productie.md lists the same.
SETTINGS = (
    ("workers", "BOUWREGIE_WEB_WORKERS", 2, _("processen")),
    ("threads", "BOUWREGIE_WEB_THREADS", 8, _("threads per proces (gelijktijdige verzoeken per proces)")),
    ("timeout", "BOUWREGIE_WEB_TIMEOUT", 60, _("seconden zonder teken van leven voordat een proces wordt herstart")),
    ("keepalive", "BOUWREGIE_WEB_KEEPALIVE", 75, _("seconden dat een stille keep-alive-verbinding open blijft")),
)


def setting(name: str, option: int | None, environ) -> int:
    """The option when given, else the environment variable, else the default; a positive whole number."""
    _option, variable, default, _meaning = next(s for s in SETTINGS if s[0] == name)
    if option is not None:
        value, origin = option, f"--{name}"
    else:
        raw = environ.get(variable, "").strip()
        value, origin = (raw or default), variable
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(
            _("%(origin)s: '%(value)s' is geen heel getal van 1 of meer.") % {"origin": origin, "value": value}
        )
    return number


def gunicorn_command(bind: str, numbers: dict) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "bouwregie.wsgi:application",
        "--bind", bind,
        "--worker-class", "gthread",
        "--workers", str(numbers["workers"]),
        "--threads", str(numbers["threads"]),
        "--timeout", str(numbers["timeout"]),
        "--keep-alive", str(numbers["keepalive"]),
        "--access-logfile", "-",
        "--preload",  # load the app once, warm the latest peilingen, then fork the workers
    ]  # fmt: skip


class Command(BaseCommand):
    help = _("Start Bouwregie (gunicorn met threads, statische bestanden via whitenoise).")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        for name, variable, default, meaning in SETTINGS:
            parser.add_argument(
                f"--{name}",
                default=None,
                help=_("%(meaning)s (standaard $%(variable)s of %(default)s)")
                % {"meaning": meaning, "variable": variable, "default": default},
            )
        parser.add_argument("--no-worker", action="store_true",
                            help=_("geen achtergrondworker starten (draai 'bouwregie worker' dan apart)"))  # fmt: skip

    def handle(self, *args, bind, no_worker=False, **options):
        numbers = {name: setting(name, options[name], os.environ) for name, *_rest in SETTINGS}
        self.stdout.write(
            _("Bouwregie draait op http://%(bind)s/  (%(workers)s processen × %(threads)s threads; stoppen met Ctrl+C)")
            % {"bind": bind, **numbers}
        )
        if not no_worker:
            # One job worker beside the web server, so `make demo` needs nothing else; it stops with the server
            # (whose process this one becomes below). Production runs its workers apart (docs/productie.md).
            subprocess.Popen([sys.executable, "-m", "bouwregie", "worker", "--stop-with-parent"])  # noqa: S603
            self.stdout.write(_("Achtergrondworker gestart (bouwregie worker)."))
        self.stdout.flush()
        # Become gunicorn rather than wait for it: a stop signal then reaches the server itself and
        # no orphaned workers keep the port (they did when tests terminated `bouwregie serve`).
        os.execve(sys.executable, gunicorn_command(bind, numbers), {**os.environ, "BOUWREGIE_WARM_SNAPSHOTS": "1"})
