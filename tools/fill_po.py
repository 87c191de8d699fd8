"""Fill empty English translations in django.po from delivered tables (issue #22).

The .po is the source of the translations (a translator edits it in Poedit or Weblate; `make messages` adds
new texts to it untranslated). Work delivered as a Python table — `EN = {msgid: English}` and
`PLURALS = {(singular, plural): (English singular, English plural)}`, as the helpers' en-*.py files — is
poured in with this tool: only entries whose msgstr is still empty are filled, an existing translation is
never overwritten (a differing one is reported), nothing is marked fuzzy. Then run compilemessages
(`make messages` does both steps of the workflow; docs/web.md, Vertalingen).

    python tools/fill_po.py TABLE.py [TABLE.py …] [--po PATH]
"""

import argparse
import runpy
import subprocess
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "src" / "bouwregie" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def fill(po: polib.POFile, en: dict, plurals: dict) -> tuple[int, list[str], list[str]]:
    """(entries filled, msgids of the tables not in the .po, msgids whose existing English differs)."""
    filled, differing = 0, []
    entries = {entry.msgid: entry for entry in po if not entry.obsolete}
    for msgid, english in en.items():
        entry = entries.get(msgid)
        if entry is None or entry.msgid_plural:
            continue
        if not entry.msgstr:
            entry.msgstr, filled = english, filled + 1
        elif entry.msgstr != english:
            differing.append(msgid)
    for (singular, plural), (one, many) in plurals.items():
        entry = entries.get(singular)
        if entry is None or entry.msgid_plural != plural:
            continue
        if not any(entry.msgstr_plural.values()):
            entry.msgstr_plural, filled = {0: one, 1: many}, filled + 1
        elif entry.msgstr_plural != {0: one, 1: many}:
            differing.append(singular)
    absent = [m for m in en if m not in entries] + [s for s, p in plurals if entries.get(s) is None]
    return filled, absent, differing


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="+", type=Path)
    parser.add_argument("--po", type=Path, default=PO)
    args = parser.parse_args(argv)
    po = polib.pofile(str(args.po))
    en, plurals = {}, {}
    for table in args.tables:
        found = runpy.run_path(str(table))
        en.update(found.get("EN", {}))
        plurals.update(found.get("PLURALS", {}))
    filled, absent, differing = fill(po, en, plurals)
    po.save(str(args.po))
    # gettext's own line wrapping back (polib wraps otherwise): the diff shows only what was filled in
    subprocess.run(["msgcat", str(args.po), "-o", str(args.po)], check=True)
    print(f"{filled} vertalingen ingevuld in {args.po}")
    for msgid in absent:
        print(f"niet in de .po (makemessages gedraaid?): {msgid!r}", file=sys.stderr)
    for msgid in differing:
        print(f"al een andere vertaling, niet overschreven: {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
