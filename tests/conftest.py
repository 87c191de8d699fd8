import os

import pytest

from bouwregie.geo.reference import load_reference_data
from bouwregie.targets.agreements import install_defaults


def pytest_collection_modifyitems(config, items):
    """A test marked own_sqlite never touches the run's database (its server or CLI gets a SQLite file of its
    own), so the PostgreSQL run would only repeat the SQLite run's test: it skips it, saying so (CI time)."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    repeat = pytest.mark.skip(reason="eigen SQLite-database: dezelfde test als in de SQLite-run")
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(repeat)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the shipped reference data (342 gemeenten, 12 provincies)."""
    with django_db_blocker.unblock():
        load_reference_data()
        install_defaults()


@pytest.fixture(autouse=True)
def fresh_snapshots():
    """Closed peilingen (and their figures) are cached per process; test databases roll back and reuse ids,
    so forget them."""
    from bouwregie.convenant import store as convenant_store
    from bouwregie.forecast import api as forecast_api
    from bouwregie.forecast import calibration
    from bouwregie.instruments import api as instruments_api
    from bouwregie.monitor import api, delays, shortfall, snapshot, woondeal_progress
    from bouwregie.web import monitor_pages

    api.forget_kept()
    for cache in (calibration._cached,
                  forecast_api._current_cached, woondeal_progress._cached, instruments_api._closed_variants,
                  monitor_pages.entry_count, convenant_store._records_kept, convenant_store._area_sums_kept,
                  shortfall._woondeals_by_member):  # fmt: skip
        cache.cache_clear()
    delays.forget_kept()
    snapshot.forget_kept()
    yield


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    """A fresh clone has not run collectstatic (bouwregie init does); pages then link static files by name."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}


@pytest.fixture(autouse=True)
def jobs_inline_and_uploads_in_tmp(settings, tmp_path):
    """Background jobs run inside the request in tests (the test database is one transaction that a
    second thread cannot see); the browser test runs a real server, where they run as threads."""
    settings.JOBS_INLINE = True
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def dutch_after_each_test():
    """A request in English leaves English active in this thread (LocaleMiddleware); code tested without a
    request after it must get the default language again."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real server (`bouwregie serve`) on a demo database of its own, for the browser tests of one module
    (tests/browser.py); a module that needs more set-up overrides this fixture."""
    from .browser import running_server

    with running_server(tmp_path_factory.mktemp("var"), projects=300) as url:
        yield url


@pytest.fixture
def page():
    """A Chromium page at 1280 × 900 (tests/browser.py); the test fails on any CSP report."""
    from .browser import browser_page

    with browser_page() as page:
        yield page
