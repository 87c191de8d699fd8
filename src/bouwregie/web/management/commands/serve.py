import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start Bouwregie (gunicorn, statische bestanden via whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, bind, workers, **options):
        self.stdout.write(f"Bouwregie draait op http://{bind}/  (stoppen met Ctrl+C)")
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
