"""An assessed Woningbouwimpuls application as plain values (CLI, JSON, CSV; later the REST API and web)."""

from dataclasses import asdict

from bouwregie.instruments.woningbouwimpuls import Assessment

CSV_HEADER = ["rang", "id", "gemeente", "besluit", "tekort_cent", "max_bijdrage_cent", "toegekend_cent", "score",
              "noodzaak", "effectiviteit", "efficientie", "urgentie", "afgewezen_op"]  # fmt: skip


def as_dict(a: Assessment) -> dict:
    app = a.application
    return {
        "rank": a.rank, "id": app.id, "municipality": app.municipality, "window": app.window,
        "decision": a.decision, "deficit_cents": a.deficit_cents, "max_contribution_cents": a.max_contribution_cents,
        "granted_cents": a.granted_cents, "total_score": a.total_score, "scores": a.scores,
        "failures": [asdict(f) for f in a.failures], "regulation": a.regulation,
    }  # fmt: skip


def csv_rows(rows: list[dict]):
    yield CSV_HEADER
    for r in rows:
        s = r["scores"]
        yield [r["rank"] or "", r["id"], r["municipality"], r["decision"], r["deficit_cents"],
               r["max_contribution_cents"], r["granted_cents"], r["total_score"] if s else "",
               *(s.get(c, "") for c in ("noodzaak", "effectiviteit", "efficientie", "urgentie")),
               " | ".join(f"{f['rule']}: {f['message']}" for f in r["failures"])]  # fmt: skip
