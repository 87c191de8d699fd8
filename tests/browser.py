"""What the browser tests share (issue #19: one set-up, not a copy per module): Debian's Chromium driven by
Playwright against the real server (`bouwregie serve`: gunicorn, whitenoise, the collected static files) on a
database of its own made with the real commands (`bouwregie init`, `bouwregie demo`), the main pages, axe-core,
and the catalogue the English check reads. The fixtures `server` and `page` (tests/conftest.py) use it.

The server's database is a SQLite file of its own in both test runs: the test database of pytest-django lives in
a transaction the server process cannot see, and the page code is the same on both backends (the test-client
tests run on both)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# axe-core from npm (package.json, `make install`); read by the tests, never served by the site.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CATALOGUE = ROOT / "src" / "bouwregie" / "locale" / "en" / "LC_MESSAGES" / "django.po"
USER, PASSWORD = "demo", "bouwregie-demo"

# The main pages, in one place: the reflow, English and accessibility checks all walk this list. A project's
# page is added by the test (its code comes from the project list).
MAIN_PAGES = [
    "/",
    "/gebied/PV26",
    "/gebied/GM0344",
    "/kaart?gebied=GM0344",
    "/projecten",
    "/planlijsten",
    "/planlijsten/kolommen",
    "/peilingen",
    "/vertragingen",
    "/alternatieven?gebied=GM0344&jaar=2029",
    "/prognose",
    "/instrumenten/realisatiestimulans",
    "/instrumenten/gemeente/GM0344",
    "/instrumenten/woningbouwimpuls",
    "/instrumenten/gebiedsbudget",
    "/woondeals",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


COMMAND = [sys.executable, "-m", "bouwregie"]


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


@contextmanager
def serving(env: dict, *options: str):
    """`bouwregie serve` with these options until the block ends; yields its base URL once it answers."""
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen([*COMMAND, "serve", "--bind", url[7:], *options], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@contextmanager
def running_server(var_dir: Path, projects: int = 300, setup: str = ""):
    """`bouwregie init`, `demo --projects N --seed 5`, the optional `shell -c setup`, then `serve`; the URL."""
    with serving(prepared(var_dir, projects=projects, setup=setup or None), "--workers", "1") as url:
        yield url


def wait_until_serving(url: str, process, tries: int = 600) -> None:
    """Until the server answers (a loaded machine: up to a minute); fails with its error output if it stopped."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url + "/inloggen", timeout=1)
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail("bouwregie serve stopte: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.1)


@contextmanager
def browser_page(width: int = 1280, height: int = 900, locale: str = "nl-NL"):
    """A Chromium page (Dutch browser); fails the test on any Content-Security-Policy report (issue #16)."""
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


def sign_in(page, server: str, username: str = USER, password: str = PASSWORD) -> None:
    page.goto(f"{server}/inloggen")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    print(f"schermafdruk: {path}")
    return path


def page_name(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now: [{id, help, targets}]. The script is run
    through the DevTools protocol (page.evaluate), not as a <script> the site's CSP would refuse."""
    if not AXE.exists():
        pytest.fail(f"{AXE} ontbreekt: draai `make install` (npm ci installeert axe-core).")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
                          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
             .map(v => ({id: v.id, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
    )
    return found


def dutch_msgids(path: Path = CATALOGUE) -> set[str]:
    """The catalogue's Dutch texts that read differently in English (or have no English yet), read from the .po
    at test time: a page in English that shows one of these as a whole text is still Dutch there."""
    text = path.read_text(encoding="utf-8")
    found = set()
    for entry in text.split("\n\n"):
        if "msgid_plural" in entry:
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', entry, re.M)
        if not msgid or not msgstr:
            continue
        dutch, english = _unquote(msgid.group(1)), _unquote(msgstr.group(1))
        if dutch.strip() and dutch != english and "#, fuzzy" not in entry:
            found.add(dutch.strip())
    return found


def _unquote(lines: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines)).replace('\\"', '"').replace("\\n", "\n")


VISIBLE_TEXTS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement, text = node.textContent.trim();
    if (!text || !parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
    if (parent.closest('[lang]') && parent.closest('[lang]').lang !== document.documentElement.lang) continue;
    if (!parent.checkVisibility({visibilityProperty: true})) continue;
    texts.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    for (const name of ['aria-label', 'title', 'placeholder']) {
      const value = (el.getAttribute(name) || '').trim();
      if (value) texts.push(value);
    }
  }
  return texts;
}"""
