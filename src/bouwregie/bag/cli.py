"""The BAG importer of `bouwregie registraties import` (registraties.dispatch.IMPORTERS): the same import as
`bouwregie bag import`, reporting through the dispatcher's `out`."""

from pathlib import Path

from bouwregie.bag import importer, lvbag
from bouwregie.registraties.dispatch import RegistrationRefused


def run_import(path: Path, *, dry_run: bool, author: str, options: dict, out) -> None:
    try:
        report = importer.import_file(path, dry_run=dry_run, author=author)
    except (lvbag.BagFileError, OSError) as error:
        raise RegistrationRefused(str(error)) from None
    for line in report.lines():
        out(line)
