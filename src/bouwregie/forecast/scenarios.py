"""Scenarios: plain changes to the per-project step lengths and drop-out, applied on top of the
calibrated base case. Each names its source or assumption (priors.py)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bouwregie.forecast import priors


@dataclass(frozen=True)
class Scenario:
    code: str
    label: str
    explanation: str


SCENARIOS = {
    s.code: s
    for s in (
        Scenario(
            "parallel-plannen",
            _("Parallel plannen"),
            _("Voorbereiding (alle stappen vóór start bouw) in een derde van de tijd: ~6 → ~2 jaar "
              "(Woontop 2024, Afspraak 15.1); geldt voor projecten die nog niet in aanbouw zijn."),
        ),
        Scenario(
            "knelpunten",
            _("Vertraging door netcongestie en water/bodem"),
            _("Projecten met knelpunt netcongestie of water en bodem die nog niet in aanbouw zijn, lopen "
              "gemiddeld een jaar extra vertraging op (aanname)."),
        ),
        Scenario(
            "meer-uitval",
            _("Meer uitval"),
            _("Alle uitvalkansen anderhalf keer zo groot (aanname; stresstest)."),
        ),
        Scenario(
            "snellere-vergunning",
            _("Snellere vergunningverlening"),
            _("De stap vergunning aangevraagd → verleend duurt de helft (aanname: binnen de wettelijke termijn)."),
        ),
    )
}  # fmt: skip


def parse(text: str | list | tuple | None) -> tuple[str, ...]:
    """'parallel-plannen,knelpunten' (or a list) → the scenario codes, checked; a clear error otherwise."""
    if not text:
        return ()
    parts = text.split(",") if isinstance(text, str) else [p for item in text for p in str(item).split(",")]
    codes = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    unknown = [c for c in codes if c not in SCENARIOS]
    if unknown:
        raise ValueError(
            str(_("Onbekend scenario '%(name)s'; kies uit: %(choices)s."))
            % {"name": unknown[0], "choices": ", ".join(SCENARIOS)}
        )
    return codes


@dataclass(frozen=True)
class Effects:
    """What the chosen scenarios do, as factors the model applies."""

    preparation_factor: float = 1.0
    permit_factor: float = 1.0
    bottleneck_delay_years: float = 0.0
    dropout_factor: float = 1.0


def effects(codes: tuple[str, ...]) -> Effects:
    return Effects(
        preparation_factor=priors.PARALLEL_PLANNEN_FACTOR if "parallel-plannen" in codes else 1.0,
        permit_factor=priors.FASTER_PERMIT_FACTOR if "snellere-vergunning" in codes else 1.0,
        bottleneck_delay_years=priors.BOTTLENECK_DELAY_YEARS if "knelpunten" in codes else 0.0,
        dropout_factor=priors.EXTRA_DROPOUT_FACTOR if "meer-uitval" in codes else 1.0,
    )
