"""Django settings. One `DATABASE_URL` switches between the embedded SQLite default and PostgreSQL.

Everything a deployment must set comes from the environment, so the same package runs on a laptop
(`make demo`) and on a server behind a load balancer.
"""

import importlib.util
import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from bouwregie import secret_key

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("BOUWREGIE_VAR_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("BOUWREGIE_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("BOUWREGIE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
# A server must set BOUWREGIE_SECRET_KEY; only a local-only site (or debug) gets a generated var/secret_key.
SECRET_KEY = secret_key.resolve(os.environ, VAR_DIR, DEBUG, ALLOWED_HOSTS)


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "ja")


# HTTPS (issue #16): all off by default (`make demo` serves plain http on 127.0.0.1); docs/productie.md sets
# them for a server, and `bouwregie check --deploy` is clean with that configuration (tested).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("BOUWREGIE_SECURE_COOKIES")
SECURE_SSL_REDIRECT = _flag("BOUWREGIE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("BOUWREGIE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("BOUWREGIE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _flag("BOUWREGIE_HSTS_PRELOAD")
# Only behind a proxy that sets this header itself (and strips it from clients): e.g. "X-Forwarded-Proto".
if os.environ.get("BOUWREGIE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["BOUWREGIE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("BOUWREGIE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

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
    "bouwregie.woondeals",
    "bouwregie.cbs",
    "bouwregie.monitor",
    "bouwregie.forecast",
    "bouwregie.instruments",
    "bouwregie.registraties",
    "bouwregie.bag",
    "bouwregie.convenant",
    "bouwregie.sok",
    "bouwregie.woontop",
    "bouwregie.rapport",
    "bouwregie.demo",
    "bouwregie.jobs",
    "bouwregie.backup",
    "bouwregie.web",
    "bouwregie.api",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "django_tasks_db",
]

# django-ninja's bundled Swagger UI / ReDoc (served locally, no CDN) are reached by path rather than
# by listing "ninja" as an app: as an app it is imported at every start-up (pydantic and all, 0.15 s
# for each CLI command), while only the web server needs it.
_NINJA_DIR = Path(importlib.util.find_spec("ninja").origin).parent

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "bouwregie.api.middleware.RejectNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bouwregie.ingest.upload_limit.RefuseOversizedUploads",  # before the body is read (CSRF's process_view)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into accounts.login_guard.lockout_response
]

# django-axes first: it refuses a locked account+address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Single sign-on with OpenID Connect (issue #22; accounts/oidc.py, docs/productie.md): on when a client id is set.
# The provider's endpoints come from the environment (`bouwregie oidc discover URL` prints them from the
# provider's discovery document); claims map to organisation and role on every login.
OIDC_ENABLED = bool(os.environ.get("BOUWREGIE_OIDC_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("BOUWREGIE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("BOUWREGIE_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("BOUWREGIE_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("BOUWREGIE_OIDC_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("BOUWREGIE_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("BOUWREGIE_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("BOUWREGIE_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("BOUWREGIE_OIDC_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("BOUWREGIE_OIDC_LOGOUT_ENDPOINT", "")
OIDC_USERNAME_CLAIM = os.environ.get("BOUWREGIE_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_ORGANISATION_CLAIM = os.environ.get("BOUWREGIE_OIDC_ORGANISATION_CLAIM", "bouwregie_organisatie")
OIDC_ROLE_CLAIM = os.environ.get("BOUWREGIE_OIDC_ROLE_CLAIM", "bouwregie_rol")
OIDC_USE_NONCE = True
LOGIN_REDIRECT_URL_FAILURE = "login"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("bouwregie.accounts.oidc.OrganisationClaimsBackend")

# Content-Security-Policy (django-csp): every script and style is a file of our own (no inline code, no CDN);
# JSON for the charts and the map rides in <script type="application/json">, which runs nothing. The map's
# background tiles come from PDOK when the browser is online.
PDOK_TILES = "https://service.pdok.nl"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", PDOK_TILES],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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

# Django's password checks for every password set through a form or `createsuperuser` (issue #16): login
# throttling per account and address does not stop password spraying; weak passwords are refused instead.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Imports (issue #3): refuse files (and unpacked archives) above this size; extra profile directories.
IMPORT_MAX_BYTES = int(float(os.environ.get("BOUWREGIE_IMPORT_MAX_MB", "50")) * 1_000_000)
# Rows of one plan list (issue 16): a province's list has ~1,000–8,000 plans (bench/ipo_lists.py), the largest
# benchmark 25,000; a list above this is refused while it is read, before it costs a worker minutes and memory.
IMPORT_MAX_ROWS = int(os.environ.get("BOUWREGIE_IMPORT_MAX_ROWS", "100000"))
IMPORT_PROFILE_DIRS = [
    Path(p) for p in os.environ.get("BOUWREGIE_PROFILE_DIRS", str(VAR_DIR / "profiles")).split(os.pathsep) if p
]
# Versions of the financial regulations (issue #7) beyond those shipped in the package: a rule change is a
# new file with a later start date, not a code edit (instruments/regulation.py).
REGULATION_DIRS = [
    Path(p) for p in os.environ.get("BOUWREGIE_REGELING_DIRS", str(VAR_DIR / "regelingen")).split(os.pathsep) if p
]
# Versions of the Convenant Toekomstbestendig Bouwen's indicator framework beyond the shipped one (issue #23,
# convenant/framework.py): the national framework (seed 001, Bijlage 2, activiteit 5) will be a new file with a
# later geldig_vanaf in one of these directories, not a code edit. Backed up as config/convenantkaders/.
CONVENANT_KADER_DIRS = [
    Path(p)
    for p in os.environ.get("BOUWREGIE_CONVENANT_KADER_DIRS", str(VAR_DIR / "convenantkaders")).split(os.pathsep)
    if p
]

# Background jobs (bouwregie.jobs.runner, issue #22): Django tasks on django-tasks-db's database queue, run by
# separate worker processes (`bouwregie worker`, on any machine that reaches the database). "1" runs a job
# inside the request that submits it instead (tests). Uploaded plan lists wait in UPLOAD_DIR until confirmed
# or cancelled.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOBS_INLINE = os.environ.get("BOUWREGIE_JOBS_INLINE", "0") == "1"
JOB_HEARTBEAT_SECONDS = float(os.environ.get("BOUWREGIE_JOB_HEARTBEAT_SECONDS", "15"))
JOB_STALE_SECONDS = float(os.environ.get("BOUWREGIE_JOB_STALE_SECONDS", "120"))
# The CPU priority of a job worker (issue #22): the niceness `bouwregie worker` raises itself to, so a forecast
# takes the cores only when pages do not need them (0: same priority as the web server; 19: lowest).
JOB_WORKER_NICE = int(os.environ.get("BOUWREGIE_WORKER_NICE", "10"))
UPLOAD_DIR = Path(os.environ.get("BOUWREGIE_UPLOAD_DIR", VAR_DIR / "uploads"))
# Finished quarterly reports (issue #20: PDF and .xlsx made by a background job) wait here until downloaded.
REPORT_DIR = Path(os.environ.get("BOUWREGIE_REPORT_DIR", VAR_DIR / "rapporten"))

# Login throttling (issues #5, #16): django-axes on every login form (accounts/login_guard.py). This many
# failed sign-ins for one account from one address within the window lock that combination until the
# window has passed — other accounts behind the same address (office, proxy) are not affected.
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("BOUWREGIE_LOGIN_ATTEMPTS", "5"))
LOGIN_THROTTLE_MINUTES = int(os.environ.get("BOUWREGIE_LOGIN_WINDOW_MINUTES", "15"))
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed; empty: none, the
# client address is the connection's (REMOTE_ADDR).
BOUWREGIE_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("BOUWREGIE_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in BOUWREGIE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"BOUWREGIE_TRUSTED_PROXIES: '{_proxy}' is geen adres of netwerk (bijv. 10.0.0.1 of 10.0.0.0/8). / "
            f"'{_proxy}' is not an address or network."
        ) from _error
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "bouwregie.accounts.login_guard.failure_limit"  # reads LOGIN_THROTTLE_ATTEMPTS
AXES_COOLOFF_TIME = "bouwregie.accounts.login_guard.cool_off"  # reads LOGIN_THROTTLE_MINUTES
AXES_CLIENT_IP_CALLABLE = "bouwregie.accounts.login_guard.client_address"
AXES_LOCKOUT_CALLABLE = "bouwregie.accounts.login_guard.lockout_response"
AXES_RESET_ON_SUCCESS = True  # a successful sign-in clears that account+address's failures
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the window counts from the last checked password
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed attempt kept (admin: Access failures)
AXES_HTTP_RESPONSE_CODE = 429

# Logging (issue #16): every request error reaches the server log on stderr, whatever DEBUG says — a 500 with
# its traceback, and each 4xx (a refused API request answered with a problem, a form error) as a warning, both
# through Django's 'django.request' logger. Background jobs and imports log through 'bouwregie'. Django's
# default sends 'django.request' errors only to mail_admins (no mail is configured) when DEBUG is off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "bouwregie": {"handlers": ["stderr"], "level": os.environ.get("BOUWREGIE_LOG_LEVEL", "WARNING")},
    },
}
