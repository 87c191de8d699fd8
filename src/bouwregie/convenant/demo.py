"""Demo data for issue #23: the real SOK 2024 (seed 001), the real Woontop list (seed 004), the four provinces in
the partners' register (seed 001), and — fictitious, labelled as demo data — one in eight demo projects recorded as
built under the convenant, without indicator values (the shipped framework has no units or norms to invent)."""

from datetime import UTC, datetime

from bouwregie.convenant import store
from bouwregie.convenant.models import ProjectRecord
from bouwregie.projects.models import Project
from bouwregie.sok import store as sok_store
from bouwregie.sok.models import Jaarplan
from bouwregie.woontop import store as woontop_store

EVERY = 8  # one in eight demo projects under the convenant (fictitious)
FRAMEWORK_START = datetime(2024, 4, 1, tzinfo=UTC)  # the day after ctb 2.0's geldig_vanaf (2024-03-31)
REASON = "Demodata (fictief): project gebouwd onder het convenant"


def create_demo_seed_data(author: str = "demo") -> dict:
    if not Jaarplan.objects.filter(year=2024).exists():
        sok_store.load(sok_store.SEED_2024, author=author)
    woontop_store.load(author=author)
    store.load_seed_partners(author=author)
    rows = [
        ProjectRecord(project_id=pid, number=1, under_convenant=True, convenant_version="2.0", framework="ctb 2.0",
                      values={}, recorded_at=max(created, FRAMEWORK_START), author=author, reason=REASON)
        for pid, created in Project.objects.order_by("id").values_list("id", "created_at")
        if pid % EVERY == 0
    ]  # fmt: skip
    ProjectRecord.objects.bulk_create(rows, batch_size=5000)
    return {"convenantregistraties": len(rows)}
