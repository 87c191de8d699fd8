"""Every exception an endpoint lets through, answered as application/problem+json in Dutch (NL API Design Rules;
RFC 9457). One place for all domains: a router raises its domain's exception (or Http404, HttpError,
ValueError), and the answer has the same shape whichever router it came from (issue #22)."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from bouwregie.api.common import NO_NUL, InvalidParameter
from bouwregie.api.problems import problem
from bouwregie.geo.areas import UnknownArea
from bouwregie.monitor.shortfall import ShortfallNeeded
from bouwregie.projects import services
from bouwregie.projects.models import Peiling
from bouwregie.woondeals.store import WoondealRefused


def _invalid(request, exc):
    params = [{"name": ".".join(str(x) for x in e.get("loc", [])[1:]), "reason": _reason(e)} for e in exc.errors]
    return problem(400, "Ongeldige invoer", "Een of meer parameters zijn ongeldig.", "ongeldige-invoer",
                   invalidParams=params)  # fmt: skip


# pydantic's reasons in Dutch for the checks the door does most (issue #16: "a clear Dutch problem naming the field
# and value"); any other keeps pydantic's English text.
REASONS = {
    "literal_error": "Onbekende waarde; toegestaan: {expected}.",
    "string_too_long": "Te lang: hooguit {max_length} tekens.",
    "less_than_equal": "Te groot: hooguit {le}.",
    "greater_than_equal": "Te klein: minstens {ge}.",
    "finite_number": "Geef een eindig getal (geen inf of NaN).",
    "int_parsing": "Geen geheel getal.",
    "float_parsing": "Geen getal.",
    "missing": "Verplicht veld ontbreekt.",
    "string_pattern_mismatch": "Heeft niet de vorm die hier nodig is (patroon {pattern}).",
    "extra_forbidden": "Onbekend veld; zie het OpenAPI-document voor de velden.",
    "string_type": "Verwacht tekst.",
    "int_type": "Geen geheel getal.",
    "int_from_float": "Geen geheel getal.",
    "float_type": "Geen getal.",
    "bool_type": "Verwacht true of false.",
    "bool_parsing": "Verwacht true of false.",
    "dict_type": "Verwacht een object (JSON-object).",
    "model_type": "Verwacht een object (JSON-object).",
    "model_attributes_type": "Verwacht een object (JSON-object).",
    "list_type": "Verwacht een lijst (JSON-array).",
    "date_type": "Verwacht een datum (JJJJ-MM-DD).",
    "date_parsing": "Geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_parsing": "Geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_inexact": "Een datum zonder tijd (JJJJ-MM-DD).",
    "too_long": "Te veel: hooguit {max_length}.",
    "too_short": "Te weinig: minstens {min_length}.",
    "enum": "Onbekende waarde; toegestaan: {expected}.",
    "json_invalid": "Geen geldige JSON.",
}


def _reason(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NO_NUL:
        return "Bevat een teken dat niet kan worden opgeslagen (NUL, 0x00)."  # the only thing NO_NUL refuses
    template = REASONS.get(error.get("type", ""))
    try:
        return template.format(**(error.get("ctx") or {})).replace("' or '", "' of '") if template else error["msg"]
    except (KeyError, IndexError, ValueError):
        return error.get("msg", "")


def _unauthenticated(request, exc):
    return problem(401, "Niet aangemeld", "Meld u aan of stuur een API-sleutel mee (Authorization: Bearer …).",
                   "niet-aangemeld")  # fmt: skip


def _not_found(request, exc):
    return problem(404, "Niet gevonden", str(exc) or "Deze bron bestaat niet.", "niet-gevonden")


def _http_error(request, exc):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words for a body that is no (strict) JSON
        detail = ("De inhoud van het verzoek is geen geldige JSON: onvolledig of onjuist opgebouwd, of met NaN of "
                  "Infinity (geen JSON-getallen).")  # fmt: skip
    title = {400: "Ongeldige invoer", 403: "Geen toegang", 413: "Verzoek te groot"}.get(exc.status_code, "Fout")
    return problem(exc.status_code, title, detail)


def _invalid_parameter(request, exc):
    return problem(400, "Ongeldige invoer", str(exc), "ongeldige-invoer",
                   invalidParams=[{"name": exc.name, "reason": str(exc)}])  # fmt: skip


def _unknown_area(request, exc):
    return problem(400, "Onbekend gebied", str(exc), "onbekend-gebied")


def _shortfall_needed(request, exc):
    reason = "Geef het tekort in woningen op met de parameter tekort."
    return problem(400, "Tekort nodig", f"{exc} {reason}", "tekort-nodig", invalidParams=[{"name": "tekort",
                   "reason": reason}])  # fmt: skip


def _unknown_peiling(request, exc):
    detail = (str(exc) or "Deze peiling bestaat niet.") + " Alle peilingen: GET /api/v1/peilingen."
    return problem(404, "Onbekende peiling", detail, "onbekende-peiling")


def _invalid_project(request, exc):
    return problem(
        400,
        "Project niet opgeslagen",
        "De wijziging voldoet niet aan de regels; er is niets opgeslagen.",
        "ongeldig-project",
        invalidParams=[{"name": p.field, "reason": p.message} for p in exc.problems],
    )


def _woondeal_refused(request, exc):
    return problem(
        400,
        "Woondeal niet opgeslagen",
        "De versie voldoet niet aan de regels; er is niets opgeslagen.",
        "ongeldige-woondeal",
        invalidParams=[{"name": f.field, "reason": f.message} for f in exc.findings],
    )


def _refused(request, exc):
    return problem(400, "Vraag niet te beantwoorden", str(exc), "ongeldige-vraag")


# ninja picks the handler of the nearest class in the exception's MRO, so ValueError answers only what no more
# specific handler does (UnknownArea, ShortfallNeeded and InvalidParameter are ValueErrors too).
HANDLERS = {
    ValidationError: _invalid,
    AuthenticationError: _unauthenticated,
    Http404: _not_found,
    HttpError: _http_error,
    InvalidParameter: _invalid_parameter,
    UnknownArea: _unknown_area,
    ShortfallNeeded: _shortfall_needed,
    Peiling.DoesNotExist: _unknown_peiling,
    services.ProjectValidationError: _invalid_project,
    WoondealRefused: _woondeal_refused,
    ValueError: _refused,
}


def install(api) -> None:
    for exception, handler in HANDLERS.items():
        api.add_exception_handler(exception, handler)
