"""Production settings (issue #16, fault 10) and the map's names as text (fault 16, the tooltip).

- No constant secret key: a server (debug off, a public host name) refuses to start without
  BOUWREGIE_SECRET_KEY; a local-only site makes its own key in var/secret_key (0600), once.
- `check --deploy` is clean with exactly the configuration docs/productie.md documents.
- A Content-Security-Policy on every page, with nothing inline in the templates that it would block.
- The map in a real browser, under that CSP: municipality names full of HTML are shown as text.
"""

import os
import re
import secrets
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from bouwregie.geo.models import Municipality
from bouwregie.secret_key import resolve

from .roles import build_world

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "bouwregie" / "web" / "templates"


def _clean_environment(**extra) -> dict:
    """This process's environment without any Bouwregie or database setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOUWREGIE_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return {**env, **extra}


def _bouwregie(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bouwregie", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT)  # fmt: skip


# --- the secret key -----------------------------------------------------------------------------------


def test_a_server_without_a_secret_key_refuses_to_start(tmp_path):
    env = _clean_environment(BOUWREGIE_ALLOWED_HOSTS="bouwregie.example.nl", BOUWREGIE_VAR_DIR=str(tmp_path))
    result = _bouwregie(env, "check")
    assert result.returncode != 0
    assert result.stderr.startswith("bouwregie: BOUWREGIE_SECRET_KEY ontbreekt")
    assert "Traceback" not in result.stderr  # the message, not a stack of Django's internals
    assert not (tmp_path / "secret_key").exists()  # no key silently made up for a server


def test_a_server_starts_with_its_secret_key_from_the_environment_or_a_file(tmp_path):
    key = secrets.token_urlsafe(50)
    env = _clean_environment(BOUWREGIE_ALLOWED_HOSTS="bouwregie.example.nl", BOUWREGIE_SECRET_KEY=key,
                             BOUWREGIE_VAR_DIR=str(tmp_path))  # fmt: skip
    assert _bouwregie(env, "check").returncode == 0
    (tmp_path / "geheim").write_text(key + "\n")
    assert resolve({"BOUWREGIE_SECRET_KEY_FILE": str(tmp_path / "geheim")}, tmp_path, False, ["x.nl"]) == key
    with pytest.raises(Exception, match="bestaat niet"):
        resolve({"BOUWREGIE_SECRET_KEY_FILE": str(tmp_path / "nergens")}, tmp_path, False, ["x.nl"])


def test_a_local_site_makes_its_own_key_once_readable_only_by_its_owner(tmp_path):
    first = resolve({}, tmp_path, False, ["127.0.0.1", "localhost"])
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 50
    assert resolve({}, tmp_path, False, ["127.0.0.1", "localhost"]) == first  # sessions survive a restart
    assert resolve({}, tmp_path / "debug", True, ["bouwregie.example.nl"]) != first  # debug: a key of its own
    assert "onveilig" not in first
    with pytest.raises(Exception, match="BOUWREGIE_SECRET_KEY ontbreekt"):
        resolve({}, tmp_path, False, ["bouwregie.example.nl"])  # a server never uses the local file


def test_the_demo_and_test_commands_need_no_environment(tmp_path):
    env = _clean_environment(BOUWREGIE_VAR_DIR=str(tmp_path))
    assert _bouwregie(env, "check").returncode == 0
    assert (tmp_path / "secret_key").exists()


# --- check --deploy in the documented production configuration ---------------------------------------


def _documented_production_environment() -> dict:
    text = (ROOT / "docs" / "productie.md").read_text(encoding="utf-8")
    block = re.search(r"```env\n(.*?)```", text, re.S).group(1)
    settings = dict(line.split("=", 1) for line in block.splitlines() if line.strip())
    placeholders = {"<lange-willekeurige-sleutel>": secrets.token_urlsafe(50), "<wachtwoord>": "geheim"}
    for name, value in settings.items():
        for placeholder, real in placeholders.items():
            value = value.replace(placeholder, real)
        assert "<" not in value, f"{name}: placeholder without a test value"
        settings[name] = value
    return settings


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path):
    documented = _documented_production_environment()
    env = _clean_environment(**{**documented, "BOUWREGIE_VAR_DIR": str(tmp_path)})
    result = _bouwregie(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout and "WARNING" not in result.stderr + result.stdout


def test_check_deploy_still_warns_without_the_documented_settings(tmp_path):
    """The test above would pass vacuously if check --deploy said nothing anyway."""
    env = _clean_environment(BOUWREGIE_VAR_DIR=str(tmp_path))
    result = _bouwregie(env, "check", "--deploy")
    for warning in ("W004", "W008", "W012", "W016"):
        assert warning in result.stderr + result.stdout
    assert "W009" not in result.stderr + result.stdout  # the generated local key is not a weak constant


def test_https_settings_come_from_the_environment(tmp_path):
    documented = _documented_production_environment()
    script = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
              "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
              "s.SECURE_HSTS_PRELOAD, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))")  # fmt: skip
    server = _bouwregie(_clean_environment(**{**documented, "BOUWREGIE_VAR_DIR": str(tmp_path)}), "shell", "-c", script)
    assert server.stdout.splitlines()[-1] == "True True True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    local = _bouwregie(_clean_environment(BOUWREGIE_VAR_DIR=str(tmp_path)), "shell", "-c", script)
    assert local.stdout.splitlines()[-1] == "False False False 0 False False None"  # no proxy header unless set


# --- Content-Security-Policy ------------------------------------------------------------------------


def test_every_page_carries_a_content_security_policy_without_inline_code(client, db):
    for path in ("/", "/kaart", "/inloggen", "/beheer/login/", "/api/v1/docs"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'", path
        assert "unsafe" not in policy and "https://service.pdok.nl" in directives["img-src"]
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_no_template_has_inline_script_style_or_event_handlers():
    """What the CSP blocks must not be in the templates: scripts only as files (data via json_script, which is
    <script type="application/json">, never run), no <style>, no style="…" or on…="…" attributes."""
    offences = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offences.append(f"{template.name}: {match.group(0)}")
        offences += [f"{template.name}: {m.group(0)}" for m in re.finditer(r"<style\b|\sstyle=|\son[a-z]+=", text)]
        offences += [f"{template.name}: javascript: link" for _ in re.finditer(r"javascript:", text, re.I)]
    assert offences == []


# --- the map: names are text (fault 16) -----------------------------------------------------------------

HOSTILE = '<img src=x onerror="window.__xss=1">'


@contextmanager
def _chromium_on_the_test_client(client, paths):
    """Chromium on http://bouwregie.test, answered with the Django test client's responses for `paths`
    (the test database, the real headers, CSP included; fetched beforehand: Playwright's route handlers run
    outside the test's database connection) and static files from the finders. Yields the page and the list
    of CSP violations the console reported."""
    answers = {}
    for path in paths:
        response = client.get(path)
        headers = {k: v for k, v in response.items() if k in ("Content-Type", "Content-Security-Policy")}
        answers[path] = (response.status_code, response.content, headers)
    sync_api = pytest.importorskip("playwright.sync_api")
    from django.contrib.staticfiles import finders

    def answer(route):
        url = urlsplit(route.request.url)
        found = finders.find(url.path.removeprefix("/static/")) if url.path.startswith("/static/") else None
        if found:
            kind = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}.get(Path(found).suffix)
            route.fulfill(status=200, body=Path(found).read_bytes(), content_type=f"{kind}; charset=utf-8")
            return
        status, body, headers = answers.get(url.path + (f"?{url.query}" if url.query else ""), (404, b"", {}))
        route.fulfill(status=status, body=body, headers=headers)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            violations = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.route("http://bouwregie.test/**", answer)
            page.route("https://service.pdok.nl/**", lambda route: route.abort())
            yield page, violations
        finally:
            browser.close()


def test_the_map_shows_municipality_names_full_of_html_as_text(client, db):
    """The real map page and data, in Chromium under the page's own CSP. Every municipality's name starts
    with an <img onerror> tag; the tooltip (and popup, table) must show it as characters."""
    build_world()
    Municipality.objects.update(name=Concat(Value(HOSTILE), F("name")))
    data = re.search(r'data-municipalities="([^"]+)"', client.get("/kaart").content.decode()).group(1)
    with _chromium_on_the_test_client(client, ["/kaart", data.replace("&amp;", "&")]) as (page, violations):
        page.goto("http://bouwregie.test/kaart")
        page.wait_for_selector("#kaart[data-ready=gemeenten]")
        box = page.locator("#kaart").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        assert tooltip.text_content().startswith(HOSTILE)
        assert tooltip.locator("img").count() == 0
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert HOSTILE in popup.text_content() and popup.locator("img").count() == 0
        assert page.locator("#kaart-tabel img").count() == 0
        assert page.evaluate("window.__xss") is None
        assert violations == [], violations


def test_the_api_documentation_works_under_the_csp(client, db):
    """Swagger UI (django-ninja's bundled files) draws the API under the policy: nothing it needs is inline."""
    with _chromium_on_the_test_client(client, ["/api/v1/docs", "/api/v1/openapi.json"]) as (page, violations):
        page.goto("http://bouwregie.test/api/v1/docs")
        page.get_by_text("/api/v1/projects").first.wait_for()
        assert "Bouwregie API" in page.locator("#swagger-ui").inner_text()
        assert violations == [], violations


def test_map_script_gives_leaflet_text_never_an_html_string():
    """A second line of defence: map.js binds tooltips and popups to DOM nodes, not strings."""
    script = (ROOT / "src" / "bouwregie" / "web" / "static" / "web" / "map.js").read_text(encoding="utf-8")
    for call in re.findall(r"\.(?:bindTooltip|bindPopup|setContent)\(([^;]*)", script):
        assert not call.lstrip().startswith(("f.properties", "p.", '"', "'")), call
    assert "innerHTML" not in script


def test_a_trusted_proxy_that_is_no_address_is_refused_at_start(tmp_path):
    env = _clean_environment(BOUWREGIE_VAR_DIR=str(tmp_path), BOUWREGIE_TRUSTED_PROXIES="10.0.0.1,proxy.intern")
    result = _bouwregie(env, "check")
    assert result.returncode != 0 and "'proxy.intern' is geen adres of netwerk" in result.stderr
    assert "Traceback" not in result.stderr


def test_weak_passwords_are_refused_by_django_s_checks():
    """Throttling per account and address does not stop password spraying: a weak password is refused when it is
    set (forms, createsuperuser), with Django's own validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("kort", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("bouwregie-demo")  # the demo's password passes (14 characters, not common)
