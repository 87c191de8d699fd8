"""Every user-facing string has its English (issue #22): the .po file is the source a translator edits
(Poedit, Weblate), `make messages` (makemessages, then compilemessages) the workflow (docs/web.md, Vertalingen).

The test extracts the catalogue afresh from the sources (Django's makemessages, in a copy of the package) and
fails on any msgid that the committed .po lacks or leaves untranslated, on a fuzzy entry (gettext's guess,
left out of the .mo, so the page would silently stay Dutch), and on a .mo that does not hold exactly the
.po's translations (compilemessages not run). polib reads both files."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bouwregie"
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext ontbreekt (Debian-pakket gettext)")
    copy = tmp_path_factory.mktemp("catalogue") / "bouwregie"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    command = [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"]
    subprocess.run(command, cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    return {entry.msgid for entry in polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))}


@pytest.fixture(scope="module")
def committed() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_msgid_in_the_code_is_in_the_catalogue_with_english(extracted, committed):
    assert len(extracted) > 1000, "makemessages vond bijna niets: de extractie zelf werkt niet"
    # the command line's texts are found too: they use bouwregie.taal.gettext as `_`, not Django's
    assert "Gebruik: bouwregie [--lang nl|en] <opdracht> [opties]" in extracted
    assert "stoppen zodra het proces dat deze worker startte stopt" in extracted
    entries = {entry.msgid: entry for entry in committed if not entry.obsolete}
    missing = sorted(msgid for msgid in extracted if msgid not in entries)
    untranslated = sorted(msgid for msgid in extracted if msgid in entries and not entries[msgid].translated())
    assert not missing, f"{len(missing)} tekst(en) niet in django.po (make messages draaien): {missing[:20]}"
    assert not untranslated, f"{len(untranslated)} tekst(en) zonder Engels: {untranslated[:20]}"


def test_no_fuzzy_guesses(committed):
    fuzzy = [entry.msgid for entry in committed if "fuzzy" in entry.flags and not entry.obsolete]
    assert not fuzzy, f"vage gok(ken) van gettext in django.po, vertaal of verwijder de vlag: {fuzzy[:20]}"


def test_the_mo_holds_exactly_the_translations_of_the_po(committed):
    """compilemessages run after the last edit: what the .mo serves is what the .po says (mtime lies after a
    git checkout, so the contents are compared)."""

    def catalogue(entries):
        return {
            (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
            for entry in entries
            if entry.msgid and (entry.msgstr or any(entry.msgstr_plural.values()))
        }

    served = catalogue(polib.mofile(str(MO)))
    written = catalogue(entry for entry in committed if entry.translated() and not entry.obsolete)
    stale = sorted(key[1] for key in served.keys() | written.keys() if served.get(key) != written.get(key))
    assert not stale, f".mo verouderd (compilemessages draaien): {stale[:10]}"
