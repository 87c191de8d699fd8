"""Where the platform's numbers come from, as readers cite them (issue #19: a source reads as its document's
title, never as "(seed 002)"). The seed documents are the five texts in shared/seeds; code comments keep the
short form "seed NNN" (the file number), pages show the title through `cite`.

One place maps a seed number to its document: change a title here and every page follows."""

import re

DOCUMENTS = {
    "000": "Statenbrief Samenwerkingsovereenkomst convenant Toekomstbestendig Bouwen (provincies Zuid-Holland, "
    "Noord-Holland, Flevoland en Utrecht), april 2024",
    "001": "Samenwerkingsovereenkomst Platform Toekomstbestendig Bouwen, 2024",
    "002": "IPO, brief aan de minister voor Volkshuisvesting en Ruimtelijke Ordening 'Voortgang en aandachtspunten "
    "prestatieafspraken woningbouw', 14 juli 2022",
    "003": "Minister voor Volkshuisvesting en Ruimtelijke Ordening, brief aan de commissarissen van de Koning "
    "'Regie op de volkshuisvesting in relatie tot formatie', 25 mei 2023",
    "004": "Afsprakenlijst Woontop, 11 december 2024",
}

_BRACKETED = re.compile(r"\s*\(seed (\d{3})\)")
_BARE = re.compile(r"\bseed (\d{3})\b")


def cite(source: str | None) -> str:
    """A source as people read it. "Woontop 11 december 2024, Afspraak 1 (seed 004)" loses its bracketed file
    number (the text before it already names the document); a source that is nothing but the reference
    ("seed 002", "(seed 002): 2/3") gets the document's title in its place. Unknown numbers stay as written."""
    text = source or ""

    def bracketed(match: re.Match) -> str:
        title = DOCUMENTS.get(match.group(1))
        if title is None:
            return match.group(0)
        return "" if text[: match.start()].strip() else title

    text = _BRACKETED.sub(bracketed, text)
    return _BARE.sub(lambda m: DOCUMENTS.get(m.group(1), m.group(0)), text).strip()
