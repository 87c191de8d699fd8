"""Where Django's SECRET_KEY comes from (issue #16, fault 10). No constant fallback: a known key lets anyone
forge sessions, password-reset links and CSRF tokens.

1. `BOUWREGIE_SECRET_KEY`, or `BOUWREGIE_SECRET_KEY_FILE` (a file holding it, e.g. a container secret):
   what a server sets (docs/productie.md). Every app server behind the load balancer shares it.
2. Otherwise, only when the site is not served to other machines (ALLOWED_HOSTS only localhost or
   127.0.0.1/::1, the default of `make demo`, `make test` and a laptop) or in debug mode: a random key
   generated once into `var/secret_key` (mode 0600) and reused, so sessions survive a restart.
3. Otherwise the settings refuse to load: ImproperlyConfigured, saying what to set.

Imported by settings.py before Django is configured, so nothing here touches django.conf.
"""

import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
MISSING = (
    "BOUWREGIE_SECRET_KEY ontbreekt. Zet een lange willekeurige sleutel in BOUWREGIE_SECRET_KEY (of het pad "
    "naar een bestand ermee in BOUWREGIE_SECRET_KEY_FILE), bijvoorbeeld met: python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'. Zie docs/productie.md. / BOUWREGIE_SECRET_KEY is not set: a server "
    "(ALLOWED_HOSTS {hosts}) with debug off needs its own secret key."
)


def local_only(allowed_hosts) -> bool:
    return all(host.strip().lower() in LOCAL_HOSTS for host in allowed_hosts)


def _read(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ImproperlyConfigured(f"Het sleutelbestand {path} is leeg. / The secret key file {path} is empty.")
    return key


def _generated(path: Path) -> str:
    """The key in `path`, made on first use. Written to a temporary file and linked into place, so two
    processes starting at once agree on one key and nobody reads a half-written file."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: use its key
    finally:
        os.unlink(temporary)
    return _read(path)


def resolve(environ, var_dir: Path, debug: bool, allowed_hosts) -> str:
    if environ.get("BOUWREGIE_SECRET_KEY", "").strip():
        return environ["BOUWREGIE_SECRET_KEY"].strip()
    if environ.get("BOUWREGIE_SECRET_KEY_FILE"):
        path = Path(environ["BOUWREGIE_SECRET_KEY_FILE"])
        if not path.is_file():
            raise ImproperlyConfigured(f"BOUWREGIE_SECRET_KEY_FILE: {path} bestaat niet. / {path} does not exist.")
        return _read(path)
    if debug or local_only(allowed_hosts):
        try:
            return _generated(var_dir / "secret_key")
        except OSError as error:
            raise ImproperlyConfigured(
                f"Kan geen lokale sleutel maken in {var_dir}: {error.strerror}. Zet BOUWREGIE_SECRET_KEY. / "
                f"Cannot create a local secret key in {var_dir}; set BOUWREGIE_SECRET_KEY."
            ) from error
    raise ImproperlyConfigured(MISSING.format(hosts=",".join(allowed_hosts)))
