"""The `bouwregie` command: our own commands (init, demo, serve, peiling, …) are Django management
commands, so `bouwregie X` and `django-admin X` behave the same; every other Django command works too.

Help answers at once (issue #22: "`bouwregie --help` and `--help` of every subcommand under 0.5 s"): for
`bouwregie`, `bouwregie --help`, `bouwregie help X` and `bouwregie X --help` with X one of ours, the command's
module is imported and its parser printed without `django.setup()` — which would load every app, model and
the libraries they use. The command modules therefore import their domain code (and numpy, shapely,
openpyxl, …) inside `handle()`, and their help texts use `bouwregie.taal.gettext`. Everything else goes
through Django as before, with the chosen language (`--lang nl|en`, or the environment; bouwregie.taal)
activated.
"""

import importlib
import os
import re
import sys
import textwrap
from pathlib import Path

from bouwregie import taal
from bouwregie.taal import gettext as _

PACKAGE = Path(__file__).resolve().parent
HELP = ("-h", "--help")


def opdrachten() -> dict[str, str]:
    """Our commands, name → module: every module under <app>/management/commands/ of this package."""
    found = {}
    for path in sorted(PACKAGE.glob("*/management/commands/*.py"), key=lambda path: path.stem):
        if not path.stem.startswith("_"):
            found[path.stem] = f"bouwregie.{path.parts[-4]}.management.commands.{path.stem}"
    return found


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code, args = _lang_uit(args)
    except ValueError as wrong:
        print(f"bouwregie: {wrong}", file=sys.stderr)
        sys.exit(2)
    taal.kies(code)
    try:
        if _snelle_hulp(args):
            return
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
        _django(args)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def _lang_uit(args: list[str]) -> tuple[str | None, list[str]]:
    """`--lang en` / `--lang=en` before the command, taken out of `args`. After the command it is the
    command's own (`bouwregie rapport --lang en` chooses the report's language) and stays."""
    code, rest, i = None, [], 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):  # the command: what follows is its own
            return code, rest + args[i:]
        if arg != "--lang" and not arg.startswith("--lang="):  # --help, --version
            rest.append(arg)
            i += 1
            continue
        if arg == "--lang":
            if i + 1 >= len(args):
                raise ValueError(_("--lang verwacht een taal: %s") % "|".join(taal.TALEN))
            value, i = args[i + 1], i + 2
        else:
            value, i = arg.split("=", 1)[1], i + 1
        if value not in taal.TALEN:
            raise ValueError(
                _("onbekende taal '%(taal)s'; kies %(talen)s") % {"taal": value, "talen": "|".join(taal.TALEN)}
            )
        code = value
    return code, rest


# Query commands that read only these apps' models, name → apps (issue #21: "one municipality cold within 3x the
# start-up floor"). For them Django sets up only those apps: loading every installed app and its models (admin,
# auth, axes, csp, OIDC, tasks, imports, BAG, reports, …) cost more than the question itself, 0.42 against 0.27 s.
# A model outside the list cannot even be imported then (Django refuses it), so a command that comes to need one
# fails loudly in tests/test_cli_end_to_end.py, which runs every option of these commands through the real entry
# point and compares the output with that under every app.
MONITOR_APPS = ("bouwregie.geo", "bouwregie.projects", "bouwregie.monitor", "bouwregie.targets", "bouwregie.woondeals")
QUERY_APPS = {"monitor": MONITOR_APPS, "delays": MONITOR_APPS}


def _django(args: list[str]) -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.utils import translation

    try:
        if args and args[0] in QUERY_APPS and os.environ["DJANGO_SETTINGS_MODULE"] == "bouwregie.settings":
            from django.conf import settings  # our own settings only: another's may need its own apps

            settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app in QUERY_APPS[args[0]]]
        django.setup()
        translation.activate(taal.taal())
        execute_from_command_line(["bouwregie", *args])
    except ImproperlyConfigured as refusal:  # a setting missing or wrong (settings.py says which): no traceback
        print(f"bouwregie: {refusal}", file=sys.stderr)
        sys.exit(1)


def _snelle_hulp(args: list[str]) -> bool:
    """Answer a request for help without Django where we can; False: Django must answer it."""
    if not args or (len(args) == 1 and args[0] in (*HELP, "help")):
        print(overzicht())
        return True
    ours = opdrachten()
    if args[0] == "help" and len(args) == 2 and args[1] in ours:
        args = [args[1], "--help"]
    if args[0] in ours and any(arg in HELP for arg in args[1:]):
        from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

        command = _opdracht(args[0], ours[args[0]])
        if command is None:
            return False
        command._called_from_command_line = True  # argparse errors print usage and exit 2, as under Django
        try:
            parser = command.create_parser("bouwregie", args[0])
        except (AppRegistryNotReady, ImproperlyConfigured):  # its options come from a library's models (`worker`)
            return False
        parser.parse_args(args[1:])  # prints the help and exits
    return False


def _opdracht(name: str, module: str):
    """The command's instance, or None when its module cannot be loaded without Django's app registry:
    Django answers for it then."""
    from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

    try:
        return importlib.import_module(module).Command()
    except (AppRegistryNotReady, ImproperlyConfigured):
        sys.modules.pop(module, None)
        return None


def overzicht() -> str:
    """`bouwregie --help`: usage, the language, and each of our commands with the first sentence of its help."""
    ours = opdrachten()
    width = max(map(len, ours)) + 2
    lines = [
        _("Gebruik: bouwregie [--lang nl|en] <opdracht> [opties]"),
        "",
        _("Opdrachten:"),
    ]
    for name, module in ours.items():
        command = _opdracht(name, module)
        first = re.split(r"(?<=\.)\s", str(command.help).strip(), maxsplit=1)[0] if command else ""
        wrapped = textwrap.wrap(first, 100 - width - 2) or [""]
        lines.append(f"  {name:<{width}}{wrapped[0]}")
        lines.extend(" " * (width + 2) + more for more in wrapped[1:])
    lines += [
        "",
        _("Hulp bij een opdracht: bouwregie <opdracht> --help"),
        _("Ook Django's eigen opdrachten werken (migrate, createsuperuser, …); alle namen: bouwregie help --commands"),
        _(
            "Taal: --lang nl of --lang en; anders de omgeving (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); "
            "standaard Nederlands."
        ),
    ]
    return "\n".join(lines)
