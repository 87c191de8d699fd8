"""`bouwregie registraties import FILE`: one entry for every registration file, dispatched on its kind
(docs/registraties.md). CBS StatLine files (CSV, or recorded API JSON) are read by `bouwregie.cbs`; BAG
extracts (LV-BAG zip/xml) by `bouwregie.bag`.

The seam for a new kind: `detect_kind(path)` names it, and `IMPORTERS[kind]` is the dotted path of a function

    run_import(path: Path, *, dry_run: bool, author: str, options: dict, out: Callable[[str], None]) -> None

that reads the file, stores it (unless dry_run) and writes what it read through `out`; it raises
`RegistrationRefused` with a Dutch message when the file cannot be imported, having written nothing.
"""

from importlib import import_module
from pathlib import Path

from django.utils.translation import gettext as _

IMPORTERS = {
    "cbs": "bouwregie.cbs.cli:run_import",
    "bag": "bouwregie.bag.cli:run_import",
}
CBS_HEADER_WORDS = ("regios", "regio's", "perioden")


class RegistrationRefused(ValueError):
    """The file is not imported; nothing was written."""


def detect_kind(path: Path) -> str | None:
    """'cbs' for a StatLine CSV or a recorded CBS API answer (JSON), 'bag' for an LV-BAG extract (zip/xml),
    None when the file is neither."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".zip", ".xml"):
        return "bag"
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "bag"
    if head.lstrip()[:1] in (b"{", b"["):
        markers = (b"value", b"TypedDataSet", b"TableInfos", b'"Perioden"')  # the last: cbsodata's list of rows
        return "cbs" if any(marker in head for marker in markers) else None
    if head.lstrip().startswith(b"<"):
        return "bag"
    # StatLine's table view may write the table's title above the header: the first lines are looked at.
    first = b"\n".join(head.split(b"\n")[:3]).decode("utf-8", errors="replace").lower()
    if any(word in first for word in CBS_HEADER_WORDS):
        return "cbs"
    return None


def importer(kind: str):
    module, _sep, name = IMPORTERS[kind].partition(":")
    try:
        return getattr(import_module(module), name)
    except ImportError:
        raise RegistrationRefused(
            _("Bestanden van de soort '%s' kan deze versie nog niet importeren.") % kind
        ) from None


def run_import(path: Path, *, dry_run: bool, author: str, options: dict, out) -> str:
    path = Path(path)
    if not path.is_file():
        raise RegistrationRefused(_("Bestand '%s' bestaat niet.") % path)
    kind = detect_kind(path)
    if kind is None:
        raise RegistrationRefused(
            _(
                "%(file)s is geen registratiebestand: verwacht een CBS-tabel (CSV van StatLine of JSON van de CBS-API) "
                "of een BAG-extract (LV-BAG, zip of xml)."
            )
            % {"file": path.name}
        )
    importer(kind)(path, dry_run=dry_run, author=author, options=options, out=out)
    return kind
