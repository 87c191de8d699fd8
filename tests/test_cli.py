"""The `bouwregie` command line (issue #22): help at once, and in English on request.

"`bouwregie --help` and `--help` of every subcommand under 0.5 s": wall time is not tested here (the machine
is shared; bench/bench_cli.py measures it), what makes it slow is: Django's set-up and the libraries behind the
models. Each help runs in its own process under `python -X importtime`, and the test fails when one of those
modules was imported. "The command-line tools get English too (LANGUAGE/--lang)": an English run of help, an
error and a summary holds none of the catalogue's Dutch texts."""

import os
import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from bouwregie import taal
from bouwregie.cli import opdrachten

PO = Path(__file__).resolve().parents[1] / "src" / "bouwregie" / "locale" / "en" / "LC_MESSAGES" / "django.po"
HEAVY = {
    "bouwregie.settings", "django.db.models", "django.contrib.admin", "django_tasks_db",
    "numpy", "scipy", "shapely", "pyproj", "pyogrio", "openpyxl", "lxml", "pandas", "orjson", "gunicorn", "ninja",
}  # fmt: skip


def environment(**language) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in taal.OMGEVING}
    return {**env, **language}


def bouwregie(*args, env=None, check=True, importtime=False):
    python = [sys.executable, "-X", "importtime"] if importtime else [sys.executable]
    return subprocess.run(
        [*python, "-m", "bouwregie", *args],
        env=environment() if env is None else env,
        capture_output=True,
        text=True,
        check=check,
        timeout=600,  # `init` on a loaded shared machine
    )


def imported(stderr: str) -> set[str]:
    """Every module `-X importtime` reported, by its full name (and each of its parents)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            parts = name.split(".")
            names.update(".".join(parts[: n + 1]) for n in range(len(parts)))
    return names


def test_the_overview_lists_every_command_without_setting_django_up():
    done = bouwregie("--help", importtime=True)
    for name in opdrachten():
        assert re.search(rf"^  {re.escape(name)}\b", done.stdout, re.M), name
    assert "Gebruik: bouwregie [--lang nl|en] <opdracht> [opties]" in done.stdout
    # the first sentence of the command's own help
    assert "Importeer een planlijst (.csv, .xlsx, .gpkg, .shp of gezipte shapefile, .geojson)" in done.stdout
    assert not imported(done.stderr) & HEAVY, sorted(imported(done.stderr) & HEAVY)
    assert bouwregie().stdout == done.stdout == bouwregie("help").stdout


@pytest.mark.parametrize("name", sorted(opdrachten()))
def test_help_of_every_command_without_setting_django_up(name):
    done = bouwregie(name, "--help", importtime=True)
    assert done.stdout.startswith(f"usage: bouwregie {name} ")
    assert "--settings SETTINGS" in done.stdout  # Django's own options are there: the same parser as a run
    assert not imported(done.stderr) & HEAVY, sorted(imported(done.stderr) & HEAVY)
    assert bouwregie("help", name).stdout == done.stdout


def test_help_of_a_subcommand_and_an_argument_error_are_argparse_s():
    sub = bouwregie("peiling", "close", "--help")
    assert sub.stdout.startswith("usage: bouwregie peiling close")
    wrong = bouwregie("export", "--format", "pdf", "--help", check=False)
    assert wrong.returncode == 2 and "invalid choice: 'pdf'" in wrong.stderr


def test_the_commands_found_are_the_ones_django_finds():
    from django.core.management import get_commands

    ours = {name for name, app in get_commands().items() if app.startswith("bouwregie")}
    assert set(opdrachten()) == ours


def test_options_fixed_in_the_command_agree_with_the_domain():
    """Lists of choices and defaults are written in the command (their domain modules import numpy or models)."""
    from bouwregie.ingest import export
    from bouwregie.ingest.management.commands import export as export_command
    from bouwregie.instruments import api
    from bouwregie.instruments.management.commands import instruments
    from bouwregie.rapport import content
    from bouwregie.rapport.management.commands import rapport
    from bouwregie.woontop import rules
    from bouwregie.woontop.management.commands import woontop

    assert export_command.FORMATS == export.FORMATS
    assert instruments.VARIANTEN == api.CHOICES
    assert woontop.STATUSES == rules.STATUSES
    assert (rapport.LANGUAGES, rapport.REPORT_RUNS) == (content.LANGUAGES, content.REPORT_RUNS)


def test_the_worker_s_options_are_db_worker_s():
    """`bouwregie worker` declares django-tasks-db's db_worker options itself (so that its help needs no Django):
    the same option strings, destinations, kinds and value checks; the defaults ours only where we chose them."""
    import argparse

    from django.core.management import CommandError
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    from bouwregie.jobs.management.commands.worker import Command as Worker

    def options(command):
        parser = argparse.ArgumentParser(add_help=False)
        command.add_arguments(parser)
        return {action.dest: action for action in parser._actions}

    library, ours = options(DbWorker()), options(Worker())
    assert set(library) <= set(ours) and set(ours) - set(library) == {"stop_with_parent", "nice"}
    chosen = {"reload": False}  # no autoreload in a worker; worker_id: machine-process (below)
    for dest, theirs in library.items():
        mine = ours[dest]
        assert (mine.option_strings, type(mine), mine.nargs) == (theirs.option_strings, type(theirs), theirs.nargs)
        if dest != "worker_id":
            assert mine.default == chosen.get(dest, theirs.default), dest
        if theirs.type is not None:
            assert mine.type.__name__ == theirs.type.__name__.removeprefix("valid_").removeprefix("validate_")
    assert ours["worker_id"].default.split("-")[-1] == str(os.getpid())
    for wrong in (["--interval", "-1"], ["--max-tasks", "0"], ["--worker-id", "x" * 65], ["--backend", "nope"]):
        with pytest.raises(CommandError, match="Error: argument"):  # Django's parser outside the command line
            Worker().create_parser("bouwregie", "worker").parse_args(wrong)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "nl"),
        ({"LANG": "C.UTF-8"}, "nl"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "nl_NL.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, "nl"),  # LC_ALL comes first and names no language of ours
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "nl"}, "nl"),
        ({"LANGUAGE": "de:en", "LANG": "de_DE.UTF-8"}, "en"),  # the first of the list that we have
        ({"LANGUAGE": "fr"}, "nl"),
        ({"LANGUAGE": "", "LANG": "en_IE.UTF-8"}, "en"),  # set but empty counts as unset, as for gettext
    ],
)
def test_the_environment_chooses_the_language(environ, expected):
    assert taal.uit_omgeving(environ) == expected


def dutch_fragments() -> set[str]:
    """The catalogue's Dutch texts that read otherwise in English, cut at their placeholders; kept are pieces of
    three words or more that the English does not contain: such a piece in English output is Dutch left over."""
    pieces = set()
    for entry in polib.pofile(str(PO)):
        english = " ".join(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr
        if entry.obsolete or not english or english == entry.msgid:
            continue
        for piece in re.split(r"%(?:\(\w+\))?[sdf]|%%|\n", entry.msgid):
            piece = " ".join(piece.split())
            if len(re.findall(r"[^\W\d_]{2,}", piece)) >= 3 and piece not in english:
                pieces.add(piece)
    return pieces


def english(msgid: str) -> str:
    return next(entry.msgstr for entry in polib.pofile(str(PO)) if entry.msgid == msgid and not entry.obsolete)


def dutch_left(output: str) -> list[str]:
    flat = " ".join(output.split())
    return sorted(piece for piece in dutch_fragments() if piece in flat)


def test_help_in_english_by_option_and_by_environment():
    overview = bouwregie("--lang", "en", "--help").stdout
    assert overview.startswith("Usage: bouwregie [--lang nl|en] <command> [options]")
    assert not dutch_left(overview)
    for name in ("import", "forecast", "peiling"):
        by_option = bouwregie("--lang=en", name, "--help").stdout
        assert not dutch_left(by_option), name
        assert bouwregie(name, "--help", env=environment(LANG="en_GB.UTF-8")).stdout == by_option
    dutch = bouwregie("import", "--help", env=environment(LANG="en_US.UTF-8", LANGUAGE="nl")).stdout
    assert "het bestand" in dutch and dutch_left(dutch)


def test_lang_after_the_command_is_the_command_s_own():
    """`bouwregie rapport --lang en` chooses the report's language: after the command, --lang is not ours."""
    done = bouwregie("peiling", "list", "--lang", "en", check=False)
    assert done.returncode == 2 and "unrecognized arguments: --lang en" in done.stderr


def test_an_unknown_language_is_refused():
    done = bouwregie("--lang", "de", "--help", check=False)
    assert done.returncode == 2 and "onbekende taal 'de'; kies nl|en" in done.stderr


@pytest.mark.own_sqlite
def test_an_error_and_a_summary_in_english(tmp_path):
    env = environment(LANGUAGE="en", BOUWREGIE_VAR_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)  # its own SQLite database under tmp_path
    refused = bouwregie("import", "plan.csv", env=env, check=False)
    assert refused.returncode == 1
    assert "Give the source with --source" in refused.stderr and not dutch_left(refused.stderr)
    init = bouwregie("init", env=env)
    assert "Database ready: 12 provinces, 342 municipalities," in init.stdout and not dutch_left(init.stdout)
    listing = bouwregie("peiling", "list", env=env)
    assert listing.stdout.strip() == english("Nog geen peilingen.") != "Nog geen peilingen."
    closing = bouwregie("peiling", "close", "2025-Q3", env=env)
    assert closing.stdout.startswith("Quarterly count 2025-Q3 closed with 0 projects.")
    assert not dutch_left(closing.stdout)
    again = bouwregie("peiling", "close", "2025-Q3", env=env, check=False)
    assert again.returncode == 1 and "2025-Q3 is already closed." in again.stderr and not dutch_left(again.stderr)
