"""The real server for end-to-end tests (issues #5, #19): `bouwregie serve` in a subprocess on a free port, on a
SQLite database of its own made with the real commands (`bouwregie init`, `bouwregie demo`, any `shell -c`
set-up), and Debian's Chromium driven by Playwright. Shared by the browser tests and the server tests.

The server's database is a file of its own in both test runs: the test database of pytest-django lives in a
transaction the server process cannot see, and the page code is the same on both backends (the test-client
tests run on both)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
COMMAND = [sys.executable, "-m", "bouwregie"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepared(var: Path, projects: int | None = None, seed: int = 5, setup: str | None = None) -> dict:
    """The environment of a server on its own database in `var`: initialised, with the demo of `projects`
    projects (None: no demo) and the Python `setup` run by `bouwregie shell -c`."""
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run([*COMMAND, "init"], env=env, check=True, capture_output=True)
    if projects is not None:
        subprocess.run([*COMMAND, "demo", "--projects", str(projects), "--seed", str(seed)], env=env, check=True,
                       capture_output=True)  # fmt: skip
    if setup:
        subprocess.run([*COMMAND, "shell", "-c", setup], env=env, check=True, capture_output=True)
    return env


@contextlib.contextmanager
def serving(env: dict, *options: str):
    """`bouwregie serve` with these options until the block ends; yields its base URL once it answers."""
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen([*COMMAND, "serve", "--bind", url[7:], *options], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        for _ in range(600):  # a loaded machine: up to a minute to start
            try:
                urllib.request.urlopen(url + "/inloggen", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("bouwregie serve stopte: " + process.stderr.read().decode()[-2000:])
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900, locale: str = "nl-NL"):
    """A Chromium page; on leaving, nothing the pages needed may have been blocked by the Content-Security-Policy
    (issue #16)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} ontbreekt: installeer het Debian-pakket chromium (make test doet dat).")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        yield page
        browser.close()
        assert blocked == [], blocked


def sign_in(page, server: str, username: str = "demo", password: str = "bouwregie-demo") -> None:
    page.goto(f"{server}/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
