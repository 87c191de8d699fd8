"""Turn what people type in plan lists into our vocabulary, with a reason for every doubt.

Every function returns (value, problem): problem is None when the input was clear, a Dutch sentence
otherwise. Unrecognised text becomes 'onbekend' plus a warning, never a silent guess (issue #3).
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils.translation import gettext as _

from bouwregie.projects.enums import Bottleneck, Lifecycle, PlanStatus, PlanType


@lru_cache(maxsize=65_536)
def simplify(text) -> str:
    """Lowercase ASCII words: 'Onherroepelijk + Wijzigingsbevoegdheid' -> 'onherroepelijk wijzigingsbevoegdheid'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Clear:
    """The value of a cell that says #LEEG: clear what is recorded (an empty cell keeps it)."""

    def __repr__(self):
        return "CLEAR"


CLEAR = _Clear()
CLEAR_MARKER = "#LEEG"  # documented in docs/import.md


def is_clear(value) -> bool:
    return isinstance(value, str) and "#" in value and value.strip().upper() == CLEAR_MARKER


def proportional(parts: dict, total: int) -> dict:
    """Scale whole counts down (or up) to `total` in proportion, by largest remainder; ties go to the
    earlier key, so the result is deterministic. {a: 5, b: 5} to 5 → {a: 3, b: 2}. Used where a list's
    breakdown or phasing does not add up to its own total (docs/import.md)."""
    given = sum(parts.values())
    if given <= 0:
        return dict.fromkeys(parts, 0)
    exact = {k: v * total / given for k, v in parts.items()}
    result = {k: int(x) for k, x in exact.items()}
    order = sorted(parts, key=lambda k: (-(exact[k] - result[k]), list(parts).index(k)))
    for k in order[: total - sum(result.values())]:
        result[k] += 1
    return result


# --- plan status (IPO plancapaciteit convention) ----------------------------------------------
_STATUS_CODE = re.compile(r"^(?:status\s*)?([1-5])\s*([abc])?(?:\s|$)")
_STATUS_WORDS = [  # (pattern on simplified text, code); first match wins
    (r"(onherroepelijk|onherr|onhr).*uitwerk", "1B"),
    (r"(onherroepelijk|onherr|onhr).*wijzig", "1C"),
    (r"(onherroepelijk|onherr|onhr)", "1A"),
    (r"vastgesteld.*uitwerk", "2B"),
    (r"vastgesteld.*wijzig", "2C"),
    (r"vastgesteld", "2A"),
    (r"voorbereiding|ontwerp|in procedure|procedure gestart", "3"),
    (r"potentiele locatie|potentieel|visie", "4A"),
    (r"\boptie\b|zoeklocatie", "4B"),
    (r"^(status )?onbekend$|^niet bekend$|^nb$", "onbekend"),
]


def _contradicts(code: str, text: str, word_codes: list[str]) -> bool:
    """Whether the words beside a code say something else: another IPO group ('1A vastgesteld'), or another
    letter that the words spell out (uitwerkingsplicht B, wijzigingsbevoegdheid C). '1B onherroepelijk' and
    '4B potentiële locatie' agree: the words name the group, the code the letter."""
    if code[0] not in {c[0] for c in word_codes if c != "onbekend"}:
        return True
    if code[0] in "12":
        spelled = "B" if "uitwerk" in text else "C" if "wijzig" in text else None
        return spelled is not None and spelled != code[1:]
    return False


def plan_status(value) -> tuple[str, str | None]:
    if is_blank(value):
        return PlanStatus.ONBEKEND, None
    text = simplify(value)
    all_words = [code for pattern, code in _STATUS_WORDS if re.search(pattern, text)]
    by_words = all_words[0] if all_words else None
    match = _STATUS_CODE.match(text)
    if match:
        number, letter = match.group(1), (match.group(2) or "").upper()
        if number in "12" and not letter:
            letter = by_words[1] if by_words and by_words[0] == number else "A"
        code = number + (letter if number in "124" else "")
        if number == "5":  # the IPO legend's 5: onbekend
            return PlanStatus.ONBEKEND, None
        if number == "4" and not letter:
            if by_words in ("4A", "4B"):
                return by_words, None
            unclear = _("Planstatus '%s': 4 zonder A of B is niet eenduidig; als zacht opgeslagen.")
            return PlanStatus.ZACHT, unclear % value
        if code == "4C":
            return PlanStatus.ONBEKEND, _("Planstatus '%s' bestaat niet in de IPO-indeling.") % value
        if by_words and by_words != "onbekend" and _contradicts(code, text, all_words):
            return code, _(
                "Planstatus '%(value)s': code %(code)s en omschrijving (%(words)s) verschillen; code gebruikt."
            ) % {"value": value, "code": code, "words": by_words}
        return code, None
    if by_words:
        return by_words, None
    if re.search(r"\bharde?\b", text):  # "hard", "harde plancapaciteit", "planologisch hard"
        return PlanStatus.HARD, None
    if re.search(r"\bzachte?\b", text):
        return PlanStatus.ZACHT, None
    return PlanStatus.ONBEKEND, _("Planstatus '%s' niet herkend; opgeslagen als onbekend.") % value


# --- plan type -----------------------------------------------------------------------------------
_TYPE_WORDS = [
    (r"kantoor|kantoren", PlanType.FUNCTIEVERANDERING_KANTOREN),
    (r"bedrijf|bedrijven|bedrijventerrein|industrie", PlanType.FUNCTIEVERANDERING_BEDRIJVEN),
    (r"maatschappelijk|school|kerk|zorgvastgoed", PlanType.FUNCTIEVERANDERING_MAATSCHAPPELIJK),
    (r"winkel|detailhandel|retail", PlanType.FUNCTIEVERANDERING_DETAILHANDEL),
    (r"functieverandering|functiewijziging|ombouw", PlanType.FUNCTIEVERANDERING_OVERIG),
    (r"transformatie", PlanType.TRANSFORMATIE),
    (r"herstructurering|sloop nieuwbouw|vervangende nieuwbouw", PlanType.HERSTRUCTURERING),
    (r"optop|splits|woningsplitsing", PlanType.OPTOPPEN_SPLITSEN),
    (r"flex|tijdelijk|verplaatsbaar", PlanType.FLEX),
    (r"inbreiding|verdichting|binnenstedelijk|bestaand bebouwd", PlanType.VERDICHTING),
    (r"uitleg|uitbreiding|buitenstedelijk", PlanType.UITLEG),
    (r"^onbekend$", PlanType.ONBEKEND),
]


_PLAN_TYPE_CODES = frozenset(PlanType.values)


def plan_type(value) -> tuple[str, str | None]:
    if is_blank(value):
        return PlanType.ONBEKEND, None
    text = simplify(value)
    if text.replace(" ", "_") in _PLAN_TYPE_CODES:
        return text.replace(" ", "_"), None
    found = next((code for pattern, code in _TYPE_WORDS if re.search(pattern, text)), None)
    if found:
        return found, None
    if text == "sloop":
        return PlanType.ONBEKEND, _(
            "Plantype '%s': alleen sloop, geen type nieuwbouw; opgeslagen als onbekend."
        ) % value
    return PlanType.ONBEKEND, _("Plantype '%s' niet herkend; opgeslagen als onbekend.") % value


def lifecycle(value) -> tuple[str, str | None]:
    if is_blank(value):
        return Lifecycle.ACTIEF, None
    text = simplify(value)
    for choice in Lifecycle:
        if text in (simplify(choice.value), simplify(str(choice.label))):
            return choice.value, None
    if text in ("opgeleverd", "gereed", "klaar"):
        return Lifecycle.GEREALISEERD, None
    if text in ("ingetrokken", "afgevallen", "geschrapt"):
        return Lifecycle.VERVALLEN, None
    return Lifecycle.ACTIEF, _("Projectstatus '%s' niet herkend; actief aangenomen.") % value


def bottlenecks(value) -> tuple[tuple[str, ...], list[str]]:
    if is_blank(value):
        return (), []
    found, problems = [], []
    for part in re.split(r"[;,|/]", str(value)):
        text = simplify(part)
        if not text:
            continue
        match = next((b.value for b in Bottleneck if text in (simplify(b.value), simplify(str(b.label)))), None)
        if match is None:
            match = next((b.value for b in Bottleneck if text and text in simplify(str(b.label))), None)
        if match:
            found.append(match)
        else:
            problems.append(_("Knelpunt '%s' niet herkend; weggelaten.") % part.strip())
    return tuple(sorted(set(found))), problems


# --- numbers, dates, booleans --------------------------------------------------------------------
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def count(value) -> tuple[int | None, str | None]:
    """A whole number of homes. Accepts 1234, '1.234' (Dutch thousands), '1234,0', 12.0 from Excel."""
    if is_blank(value):
        return None, None
    if isinstance(value, bool):
        return None, _("'%s' is geen aantal.") % value
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("'%s' is geen aantal.") % value
        return (int(value), None) if value.is_integer() else (None, _("'%s' is geen geheel aantal.") % value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(text):
        return int(text.replace(".", "")), None
    try:
        number = float(text.replace(",", ".")) if text.count(",") <= 1 and "." not in text else float(text)
    except ValueError:
        return None, _("'%s' is geen getal.") % value
    if number != number or number in (float("inf"), float("-inf")):
        return None, _("'%s' is geen getal.") % value
    if not number.is_integer():
        return None, _("'%s' is geen geheel aantal.") % value
    return int(number), None


def count_rounded(value) -> tuple[int | None, str | None]:
    """Like `count`, but a fractional count (12,5 homes from a share) is rounded half up; the second
    value then is the warning that says so (a profile's round_fractions)."""
    number, error = count(value)
    if error is None or is_blank(value):
        return number, error
    text = str(value).strip().replace(",", ".") if not isinstance(value, float) else value
    try:
        exact = float(text)
    except ValueError:
        return None, error
    if exact != exact or exact in (float("inf"), float("-inf")):
        return None, error
    rounded = int(exact + 0.5) if exact >= 0 else -int(-exact + 0.5)
    return rounded, _("'%(value)s' is geen geheel aantal; afgerond op %(rounded)d.") % {
        "value": value,
        "rounded": rounded,
    }


_EXCEL_EPOCH = date(1899, 12, 30)
_DAY_FIRST = re.compile(r"(?P<d>\d{1,2})([-/.])(?P<m>\d{1,2})\2(?P<y>\d{4})")  # 20-5-2020, 01/07/2025, 1.7.2025
_YEAR_FIRST = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")  # 2025-07-01


def day(value) -> tuple[date | None, str | None]:
    if is_blank(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 < value < 80_000:
        return _EXCEL_EPOCH + timedelta(days=int(value)), None  # Excel serial date
    text = str(value).strip()
    if match := _DAY_FIRST.fullmatch(text) or _YEAR_FIRST.fullmatch(text):  # the common spellings, without strptime
        parts = match.groupdict()
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"])), None
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, _("'%s' is geen datum (verwacht bijv. 2025-07-01 of 01-07-2025).") % value


def yes_no(value) -> tuple[bool | None, str | None]:
    if is_blank(value):
        return None, None
    text = simplify(value)
    if text in ("ja", "j", "yes", "true", "waar", "1", "x"):
        return True, None
    if text in ("nee", "n", "no", "false", "onwaar", "0"):
        return False, None
    return None, _("'%s' is geen ja/nee.") % value


def spread(homes: int, first_year: int, last_year: int) -> dict[str, int]:
    """Spread a period's homes evenly over its years; the remainder goes to the earliest years.

    A provincial list that gives "2025–2029: 103" becomes 21, 21, 21, 20, 20 (documented in
    docs/import.md)."""
    years = list(range(first_year, last_year + 1))
    base, rest = divmod(homes, len(years))
    return {str(y): base + (1 if i < rest else 0) for i, y in enumerate(years) if base or i < rest}
