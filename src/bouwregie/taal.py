"""The language of the command line (issue #22: "the command-line tools get English too").

`bouwregie --lang en …` chooses it; without `--lang` the environment does, as for any Unix tool: the first
of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set decides (LANGUAGE may list several, `de:en`: the first
we have wins); anything else (C, POSIX, a language we do not have) is Dutch, the project's own language.

Why not Django's gettext everywhere: it needs settings and the app registry (`django.setup()`, about half a
second), and `bouwregie --help` must answer at once. So the help texts of the commands use `gettext` from
here, which reads the same compiled catalogue (locale/en/LC_MESSAGES/django.mo, the one translators edit as
django.po) with Python's own gettext as long as Django is not set up, and is Django's gettext once it is
(then `cli.main` has activated the chosen language, and tests can activate one themselves).
"""

import gettext as _gnu
import os
import sys
from functools import cache
from pathlib import Path

TALEN = ("nl", "en")
STANDAARD = "nl"
OMGEVING = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
LOCALE = Path(__file__).resolve().parent / "locale"

_gekozen: str | None = None


def uit_omgeving(environ=None) -> str:
    """The language the environment asks for: the first variable that is set decides."""
    environ = os.environ if environ is None else environ
    for name in OMGEVING:
        value = environ.get(name, "")
        if value:
            for item in value.split(":"):
                code = item.split(".")[0].split("@")[0].split("_")[0].lower()
                if code in TALEN:
                    return code
            return STANDAARD
    return STANDAARD


def kies(code: str | None) -> str:
    """Fix the language for this process: `code` (from --lang) or else the environment's."""
    global _gekozen
    _gekozen = code if code in TALEN else uit_omgeving()
    return _gekozen


def taal() -> str:
    return _gekozen or uit_omgeving()


@cache
def _catalogus(code: str) -> _gnu.NullTranslations:
    return _gnu.translation("django", localedir=LOCALE, languages=[code], fallback=True)


def _django_klaar() -> bool:
    apps = sys.modules.get("django.apps")
    return apps is not None and apps.apps.ready


def gettext(message: str) -> str:
    if _django_klaar():
        from django.utils.translation import gettext as django_gettext

        return django_gettext(message)
    return _catalogus(taal()).gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    if _django_klaar():
        from django.utils.translation import ngettext as django_ngettext

        return django_ngettext(singular, plural, number)
    return _catalogus(taal()).ngettext(singular, plural, number)
