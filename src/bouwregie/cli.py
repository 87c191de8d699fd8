"""The `bouwregie` command: our own commands (init, demo, serve, peiling, …) are Django management
commands, so `bouwregie X` and `django-admin X` behave the same; every other Django command works too."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bouwregie", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
