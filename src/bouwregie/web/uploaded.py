"""A small uploaded file (an application, a measure package) on disk for the readers that take a path."""

import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

from bouwregie.ingest.uploads import stored_name

SMALL_FILE_BYTES = 2_000_000  # an application or package file is a few kB; a plan list goes through imports


@contextmanager
def saved_upload(upload, suffixes: tuple[str, ...]):
    """The upload as a temporary file with its own suffix (deleted afterwards); ValueError with the reason
    for a missing file, another type or a file too large."""
    if upload is None:
        raise ValueError(_("Kies een bestand."))
    suffix = Path(upload.name).suffix.lower()
    if suffix not in suffixes:
        raise ValueError(_("Gebruik een %(types)s-bestand, niet '%(name)s'.")
                         % {"types": " of ".join(suffixes), "name": upload.name})  # fmt: skip
    if upload.size > SMALL_FILE_BYTES:
        raise ValueError(_("Het bestand is %(size)s MB; de grens is %(limit)s MB.")  # as for a plan list
                         % {"size": f"{upload.size / 1e6:.1f}", "limit": f"{SMALL_FILE_BYTES / 1e6:g}"})  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bouwregie-upload-") as folder:
        path = Path(folder) / stored_name(upload.name)  # the user's own (safe) name: messages name it
        with open(path, "wb") as sink:
            for chunk in upload.chunks():
                sink.write(chunk)
        yield path
