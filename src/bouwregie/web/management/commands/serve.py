import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start Bouwregie (gunicorn, statische bestanden via whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true",
                            help="geen achtergrondworker starten (draai 'bouwregie worker' dan apart)")  # fmt: skip

    def handle(self, *args, bind, workers, no_worker=False, **options):
        self.stdout.write(f"Bouwregie draait op http://{bind}/  (stoppen met Ctrl+C)")
        if not no_worker:
            # One job worker beside the web server, so `make demo` needs nothing else; it stops with the server
            # (whose process this one becomes below). Production runs its workers apart (docs/productie.md).
            subprocess.Popen([sys.executable, "-m", "bouwregie", "worker", "--stop-with-parent"])  # noqa: S603
            self.stdout.write("Achtergrondworker gestart (bouwregie worker).")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bouwregie.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--preload",  # load the app once, warm the latest peilingen, then fork the workers
        ]
        self.stdout.flush()
        # Become gunicorn rather than wait for it: a stop signal then reaches the server itself and
        # no orphaned workers keep the port (they did when tests terminated `bouwregie serve`).
        os.execve(sys.executable, command, {**os.environ, "BOUWREGIE_WARM_SNAPSHOTS": "1"})
