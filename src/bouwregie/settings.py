"""Django settings. One `DATABASE_URL` switches between the embedded SQLite default and PostgreSQL.

Everything a deployment must set comes from the environment, so the same package runs on a laptop
(`make demo`) and on a server behind a load balancer.
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("BOUWREGIE_VAR_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("BOUWREGIE_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("BOUWREGIE_SECRET_KEY", "onveilig-alleen-voor-lokaal-gebruik")
ALLOWED_HOSTS = os.environ.get("BOUWREGIE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bouwregie.geo",
    "bouwregie.accounts",
    "bouwregie.projects",
    "bouwregie.ingest",
    "bouwregie.targets",
    "bouwregie.monitor",
    "bouwregie.forecast",
    "bouwregie.instruments",
    "bouwregie.demo",
    "bouwregie.jobs",
    "bouwregie.web",
    "bouwregie.api",
]

# django-ninja's bundled Swagger UI / ReDoc (served locally, no CDN) are reached by path rather than
# by listing "ninja" as an app: as an app it is imported at every start-up (pydantic and all, 0.15 s
# for each CLI command), while only the web server needs it.
_NINJA_DIR = Path(importlib.util.find_spec("ninja").origin).parent

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bouwregie.api.middleware.RejectNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bouwregie.urls"
WSGI_APPLICATION = "bouwregie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [_NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bouwregie.web.context.navigation",
            ]
        },
    }
]

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'bouwregie.sqlite3'}"
# Keep server connections open between requests (a new PostgreSQL connection costs ~30 ms, more than a
# whole API answer); checked before reuse, so a restarted database is not an error page.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _SQLITE_DEFAULT),
        conn_max_age=int(os.environ.get("BOUWREGIE_DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the web app) work while an import writes; IMMEDIATE avoids lock upgrades
    # failing half-way through a write transaction. recursive_triggers: a REPLACE fires the DELETE triggers of
    # the row it replaces, so INSERT OR REPLACE cannot rewrite history (projects/db_guards.py). temp_store=MEMORY:
    # an insert into a table with triggers keeps a statement journal, by default in a temporary file; in memory
    # it costs nothing (a 5,000-project demo: 3.3 million pwrite calls and 2.6 s system time on file, 0.35 s now).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA recursive_triggers=ON; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# NL Design System CSS, fonts and Chart.js, copied from npm by `make install` (Makefile, VENDOR).
_VENDOR_DIR = Path(os.environ.get("BOUWREGIE_VENDOR_DIR", BASE_DIR.parents[1] / "build" / "vendor"))
STATICFILES_DIRS = [_NINJA_DIR / "static", ("vendor", _VENDOR_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Imports (issue #3): refuse files (and unpacked archives) above this size; extra profile directories.
IMPORT_MAX_BYTES = int(float(os.environ.get("BOUWREGIE_IMPORT_MAX_MB", "50")) * 1_000_000)
IMPORT_PROFILE_DIRS = [
    Path(p) for p in os.environ.get("BOUWREGIE_PROFILE_DIRS", str(VAR_DIR / "profiles")).split(os.pathsep) if p
]
# Versions of the financial regulations (issue #7) beyond those shipped in the package: a rule change is a
# new file with a later start date, not a code edit (instruments/regulation.py).
REGULATION_DIRS = [
    Path(p) for p in os.environ.get("BOUWREGIE_REGELING_DIRS", str(VAR_DIR / "regelingen")).split(os.pathsep) if p
]

# Background jobs (bouwregie.jobs.runner): run in a thread of the web process; "1" runs them inside
# the request instead (tests). Uploaded plan lists wait in UPLOAD_DIR until confirmed or cancelled.
JOBS_INLINE = os.environ.get("BOUWREGIE_JOBS_INLINE", "0") == "1"
UPLOAD_DIR = Path(os.environ.get("BOUWREGIE_UPLOAD_DIR", VAR_DIR / "uploads"))

# Login throttling (issue #5): this many failed sign-ins per user name or per address within the
# window refuse further attempts until the window has passed.
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("BOUWREGIE_LOGIN_ATTEMPTS", "5"))
LOGIN_THROTTLE_MINUTES = int(os.environ.get("BOUWREGIE_LOGIN_WINDOW_MINUTES", "15"))
