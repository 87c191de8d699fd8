"""What the quarterly report (issue #20) takes from the Woontop tracker: `summary(peiling)`."""

from bouwregie.projects.models import Peiling
from bouwregie.woontop import store


def summary(peiling) -> dict:
    """The national table for a peiling's quarter (a Peiling or its code, '2025-Q2'): per afspraak the status of
    each milestone, overdue ones flagged as of the peiling's reference date (its quarter's last day), the changes
    since the previous quarter and the counts per status."""
    code = peiling.code if isinstance(peiling, Peiling) else str(peiling)
    result = store.table(code, today=store.rules.quarter_last_day(code))
    result["overdue"] = [
        {"afspraak": a["number"], **m} for a in result["afspraken"] for m in a["milestones"] if m["overdue"]
    ]
    return result
