"""Every user-facing string has its English (issue #22): the .po file is the source a translator edits
(Poedit, Weblate), `makemessages` / `compilemessages` the workflow (docs/web.md, Vertalingen).

The test extracts the catalogue afresh from the sources (Django's makemessages, in a copy of the package) and
fails on any msgid that the committed .po lacks or leaves untranslated, on a fuzzy entry (gettext's guess,
left out of the .mo), and on a .mo older than its .po."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bouwregie"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries(po_text: str) -> dict[str, list[str]]:
    """msgid → its msgstr values (one, or one per plural form); the header (msgid "") left out."""
    out = {}
    for block in po_text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        found = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
        if not found:
            continue
        key = _text(found.group(1))
        if key:
            out[key] = [_text(m) for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)]
    return out


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted)).encode("latin-1", "backslashreplace").decode("unicode_escape")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext ontbreekt (Debian-pakket gettext)")
    copy = tmp_path_factory.mktemp("catalogue") / "bouwregie"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    command = [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"]
    subprocess.run(command, cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    return entries((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def test_every_msgid_in_the_code_is_in_the_catalogue_with_english(extracted):
    committed = entries(PO.read_text(encoding="utf-8"))
    assert len(extracted) > 1000, "makemessages vond bijna niets: de extractie zelf werkt niet"
    missing = sorted(k for k in extracted if k not in committed)
    untranslated = sorted(k for k in extracted if k in committed and not all(committed[k]))
    assert not missing, f"{len(missing)} tekst(en) niet in django.po (makemessages draaien): {missing[:20]}"
    assert not untranslated, f"{len(untranslated)} tekst(en) zonder Engels: {untranslated[:20]}"


def test_no_fuzzy_guesses_and_the_mo_is_compiled():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1], "een vage gok van gettext in django.po: vertaal of verwijder"
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1, "compilemessages draaien"
