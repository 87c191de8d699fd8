"""Brute force on the login forms (issue #16, fault 1): django-axes on every login form, keyed on account
AND address, the client address from the configured proxies only, and the limit holding under parallel
attempts (a live server with several workers, on the test run's database backend)."""

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from bouwregie.accounts.login_guard import client_address

from .browser import serving

PASSWORD = "juist-wachtwoord-123"


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("beheer", "beheer@example.nl", PASSWORD)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_admin_login_locks_after_the_limit_even_with_the_right_password(client, admin_user, settings):
    for _attempt in range(12):
        response = client.post("/beheer/login/", {"username": "beheer", "password": "fout"})
    assert response.status_code == 429
    assert "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw." in response.content.decode()
    refused = client.post("/beheer/login/", {"username": "beheer", "password": PASSWORD, "next": "/beheer/"})
    assert refused.status_code == 429 and not _signed_in(client)
    assert client.get("/beheer/").status_code == 302  # still the login page
    # The failures are recorded: the attempts that reached a password check (the limit), each in the log.
    assert AccessAttempt.objects.get(username="beheer").failures_since_start == settings.LOGIN_THROTTLE_ATTEMPTS
    assert AccessFailureLog.objects.filter(username="beheer").count() == settings.LOGIN_THROTTLE_ATTEMPTS


def test_our_login_page_and_the_admin_share_one_count(client, admin_user, settings):
    for _attempt in range(3):
        client.post("/inloggen", {"username": "beheer", "password": "fout"})
    for _attempt in range(2):
        client.post("/beheer/login/", {"username": "beheer", "password": "fout"})
    refused = client.post("/inloggen", {"username": "beheer", "password": PASSWORD})
    assert refused.status_code == 429 and "Probeer het over" in refused.content.decode()
    assert 'name="username"' in refused.content.decode()  # our sign-in page again, with the message
    assert not _signed_in(client)


def test_one_accounts_failures_do_not_lock_another_account_behind_the_same_address(client, admin_user):
    get_user_model().objects.create_user("collega", password=PASSWORD)
    for _attempt in range(8):
        client.post("/inloggen", {"username": "beheer", "password": "fout"}, REMOTE_ADDR="192.0.2.10")
    assert (
        client.post("/inloggen", {"username": "beheer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10").status_code
        == 429
    )
    response = client.post("/inloggen", {"username": "collega", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and _signed_in(client)


def test_the_locked_account_may_still_sign_in_from_another_address(client, admin_user):
    for _attempt in range(5):
        client.post("/inloggen", {"username": "beheer", "password": "fout"}, REMOTE_ADDR="192.0.2.66")
    response = client.post("/inloggen", {"username": "beheer", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_a_forged_x_forwarded_for_changes_nothing_without_a_configured_proxy(client, admin_user, settings):
    settings.BOUWREGIE_TRUSTED_PROXIES = []
    for attempt in range(5):
        client.post(
            "/inloggen",
            {"username": "beheer", "password": "fout"},
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    refused = client.post(
        "/inloggen",
        {"username": "beheer", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert refused.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_behind_a_configured_proxy_the_forwarded_client_address_counts(client, admin_user, settings):
    settings.BOUWREGIE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    for _attempt in range(5):
        client.post(
            "/inloggen",
            {"username": "beheer", "password": "fout"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.1"}
    # another client behind the same proxy is not locked out
    response = client.post(
        "/inloggen",
        {"username": "beheer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no proxy configured: the header is ignored
        (["10.0.0.1"], "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # not from our proxy: ignored
        (["10.0.0.1"], "10.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own prefix is not believed
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.9, 10.1.1.1", "203.0.113.9"),  # two proxies of ours
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "niet-een-adres", "10.0.0.1"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2a00:1::5", "2a00:1::5"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.BOUWREGIE_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_api_has_no_password_login(client, db):
    """API clients use a bearer key or the web session; there is no password form to protect there."""
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} <= {"http", "apiKey"}
    assert all(s.get("scheme", "bearer") == "bearer" for s in schemes.values() if s["type"] == "http")


# --- parallel attempts against a live server --------------------------------------------------------


@pytest.fixture
def live_server_database(tmp_path):
    """A database of its own for the server processes (the test database is one uncommitted transaction):
    a SQLite file, or on a PostgreSQL run a fresh PostgreSQL database on the same server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'login.sqlite3'}"
        return
    import psycopg

    server = django_settings.DATABASES["default"]
    name = f"bouwregie_login_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=server["HOST"],
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = url.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "bouwregie", *args], env=env, check=True, capture_output=True, text=True
    )


def test_parallel_attempts_never_check_more_passwords_than_the_limit(live_server_database, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": live_server_database,
        "BOUWREGIE_VAR_DIR": str(tmp_path / "var"),
        "BOUWREGIE_LOGIN_ATTEMPTS": "5",
        "BOUWREGIE_SECRET_KEY": "test-" + uuid.uuid4().hex,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _manage(env, "init")  # as a deployment does: migrate, reference data, static files
    script = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user('doelwit', password='{PASSWORD}')"
    )
    _manage(env, "shell", "-c", script)
    with serving(env, "--workers", "4") as url:
        # CSRF: the login forms want the token, as a browser would send it.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(url + "/inloggen").read().decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
        csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")

        def attempt(n: int) -> int:
            data = {"username": "doelwit", "password": f"fout-{n}", "csrfmiddlewaretoken": token}
            path = "/inloggen" if n % 2 else "/beheer/login/"
            request = urllib.request.Request(
                url + path,
                data=urllib.parse.urlencode(data).encode(),
                method="POST",
                headers={"Cookie": f"csrftoken={csrf_cookie}", "Referer": url + path},
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(pool.map(attempt, range(30)))
    assert set(statuses) <= {200, 429}, statuses
    counted = _manage(
        env,
        "shell",
        "-c",
        "from axes.models import AccessFailureLog, AccessAttempt; "
        "print(AccessFailureLog.objects.filter(username='doelwit').count(), "
        "sum(a.failures_since_start for a in AccessAttempt.objects.filter(username='doelwit')))",
    )
    password_checks, failures = map(int, counted.stdout.splitlines()[-1].split())
    # Every failed password check is logged once; refused attempts never reach the password.
    assert password_checks == failures == 5, (password_checks, failures, statuses)
    assert statuses.count(200) == 4 and statuses.count(429) == 26


def test_no_address_is_no_address(settings):
    """Django's force_login and a unix socket give no REMOTE_ADDR; axes keeps addresses in an IP field."""
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    assert client_address(request) is None


def test_force_login_still_works(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/beheer/").status_code == 200
