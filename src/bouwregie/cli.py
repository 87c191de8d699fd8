"""The `bouwregie` command: our own commands (init, demo, serve, peiling, …) are Django management
commands, so `bouwregie X` and `django-admin X` behave the same; every other Django command works too."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["bouwregie", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as refusal:  # a setting missing or wrong (settings.py says which): no traceback
        print(f"bouwregie: {refusal}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()
