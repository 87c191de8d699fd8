"""Fictitious woondeal regions for the demo dataset (issue #17: every page can be tried, and nothing that looks
like a real agreement ships without a source). Each is named "Demo-woondeal …" with source "Demodata, fictief":
35 regions, as many as the real woondeals, cut from each province's municipalities in code order (a province
gets regions in proportion to its municipalities, at least one), with round figures per member."""

from datetime import date

from bouwregie.geo.models import Municipality, Province
from bouwregie.woondeals import rules, store

COUNT = 35
SOURCE = "Demodata, fictief"
HOMES_PER_MEMBER = 1_200


def _shares(sizes: dict, count: int) -> dict:
    """Regions per province: one each, the rest by largest remainder over the municipalities."""
    shares = dict.fromkeys(sizes, 1)
    rest, total = count - len(sizes), sum(sizes.values())
    exact = {p: rest * n / total for p, n in sizes.items()}
    for p in exact:
        shares[p] += int(exact[p])
    for p in sorted(exact, key=lambda p: exact[p] - int(exact[p]), reverse=True)[: count - sum(shares.values())]:
        shares[p] += 1
    return shares


def version_data(name: str, province: str, members: list[str]) -> dict:
    total = HOMES_PER_MEMBER * len(members)
    yearly = total // len(rules.JAARSCHIJF_YEARS)
    slices = {str(y): yearly for y in rules.JAARSCHIJF_YEARS}
    slices["2030"] += total - yearly * len(rules.JAARSCHIJF_YEARS)
    social = total * 3 // 10
    return {"name": name, "provinces": [province], "members": [{"code": c} for c in members],
            "signatories": [{"name": "Woningcorporatie Demo Wonen", "kind": "corporatie", "role": "signed"},
                            {"name": "Bouwbedrijf Demo", "kind": "bouwer", "role": "support"}],
            "taakstelling_total": total,
            "taakstelling_segments": {"sociale_huur": social, "middenhuur_betaalbare_koop": total * 4 // 10,
                                      "duur": total - social - total * 4 // 10},
            "jaarschijven": slices, "corporation_homes": social,
            "programming": {str(y): total // 20 for y in rules.PROGRAMMING_YEARS},
            "source": SOURCE, "valid_from": date(2022, 10, 1).isoformat()}  # fmt: skip


def create_demo_woondeals(author: str = "demo") -> int:
    members_of = {}
    for code, province in Municipality.objects.order_by("code").values_list("code", "province_id"):
        members_of.setdefault(province, []).append(code)
    names = dict(Province.objects.values_list("code", "name"))
    ref, number = store.reference(), 0
    shares = _shares({p: len(m) for p, m in members_of.items()}, COUNT)
    for province in sorted(members_of):
        codes, parts = members_of[province], shares[province]
        for i in range(parts):
            members = codes[i * len(codes) // parts : (i + 1) * len(codes) // parts]
            number += 1
            code, name = f"WD-{number:02d}", f"Demo-woondeal {names[province]} {i + 1}"
            store.record(code, version_data(name, province, members), author=author, reason="Demodata", ref=ref)
    return number
