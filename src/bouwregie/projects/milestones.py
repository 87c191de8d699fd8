"""The standard PPM milestones (DESIGN.md, Core model; Woontop 2024 Afspraak 3B and 15.1).

This is the default list; a versnellingstafel may add its own kinds (MilestoneKind rows with a
region). Order is the normal sequence of a project; `public` tells whether government or the
market party owns the milestone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StandardMilestone:
    code: str
    label: str
    public: bool
    order: int
    partial_allowed: bool = False


STANDARD_MILESTONES = (
    StandardMilestone("initiatief", _("Initiatief"), True, 10),
    StandardMilestone("principebesluit", _("Principebesluit / intentieovereenkomst"), True, 20),
    StandardMilestone("anterieure_overeenkomst", _("Anterieure / ontwikkelovereenkomst"), True, 30),
    StandardMilestone("ontwerp_omgevingsplan", _("Ontwerp-omgevingsplan ter inzage"), True, 40),
    StandardMilestone("omgevingsplan_vastgesteld", _("Omgevingsplan vastgesteld"), True, 50),
    StandardMilestone("omgevingsplan_onherroepelijk", _("Omgevingsplan onherroepelijk"), True, 60),
    StandardMilestone("vergunning_aangevraagd", _("Omgevingsvergunning aangevraagd"), False, 70),
    StandardMilestone("vergunning_verleend", _("Omgevingsvergunning verleend"), True, 80),
    StandardMilestone("financiering_rond", _("Financiering rond"), False, 90),
    StandardMilestone("start_verkoop", _("Start verkoop/verhuur"), False, 100),
    StandardMilestone("start_bouw", _("Start bouw"), False, 110),
    StandardMilestone("oplevering", _("Oplevering"), False, 120, partial_allowed=True),
)

MILESTONE_CODES = tuple(m.code for m in STANDARD_MILESTONES)
# The market party's own milestones (DOMAIN.md §3: "public and private milestones"); a table's extra
# kinds count as public.
PRIVATE_MILESTONES = frozenset(m.code for m in STANDARD_MILESTONES if not m.public)
MILESTONE_ORDER = {m.code: m.order for m in STANDARD_MILESTONES}


def phase_label(code: str) -> str:
    """A phase (last milestone reached) as users read it; '' is a project before its initiative."""
    return str(_LABELS[code]) if code else str(_("nog geen mijlpaal"))


_LABELS = {m.code: m.label for m in STANDARD_MILESTONES}


def private_milestones_only_message() -> str:
    """Why a market party's change was refused (API and web say the same)."""
    labels = ", ".join(str(m.label).lower() for m in STANDARD_MILESTONES if m.code in PRIVATE_MILESTONES)
    return str(_("Als marktpartij bij dit project mag u alleen de private mijlpalen wijzigen (%s).")) % labels
