"""The balanced distribution of a woondeal at a peiling (docs/woondeals.md, 'Evenwichtige verdeling'): reads the
woondeal as agreed on the peiling date and the peiling's snapshot, and hands plain numbers to the pure
monitor.spreiding.distribution. The web page and the API both answer from `for_woondeal`."""

import numpy as np
from django.http import Http404
from django.utils.translation import gettext as _

from bouwregie.geo.models import Municipality
from bouwregie.monitor import snapshot as snap
from bouwregie.monitor.figures import SOCIAL_NORM
from bouwregie.monitor.spreiding import DEFAULT_THRESHOLD, ProjectHomes, distribution
from bouwregie.projects.models import Peiling
from bouwregie.woondeals import rules, store
from bouwregie.woondeals.models import Woondeal

NEW_BUILD_FROM = 2022  # the woondeals' taakstelling runs 2022–2030


def agreed_norm(version) -> tuple[float, str]:
    """The woondeal's own sociale-huur segment as a share of its taakstelling; else the monitor's provincial
    norm of one third sociale huur of new build (monitor.figures.SOCIAL_NORM, DOMAIN.md §2)."""
    social = (version.taakstelling_segments or {}).get("sociale_huur")
    if social is not None and version.taakstelling_total:
        return social / version.taakstelling_total, "woondeal"
    return SOCIAL_NORM, "provinciaal"


def projects_in(s: snap.Snapshot, members: list[str]) -> list[ProjectHomes]:
    """Each project of the member municipalities with its homes realised since 2022 and in the pipeline,
    split pro rata over its segment mix (snapshot.segment_mix)."""
    index = [i for i, c in enumerate(s.municipality_codes) if c in set(members)]
    rows = np.flatnonzero(np.isin(s.municipality, index))
    if not len(rows):
        return []
    mix = snap.segment_mix(s, rows)
    social = mix[:, snap.SEGMENTS.index("sociale_huur")]
    known = 1.0 - mix[:, snap.SEGMENTS.index("onbekend")]
    new_build = s.realised[rows][:, NEW_BUILD_FROM - snap.FIRST_YEAR :].sum(axis=1)
    pipeline = np.where(s.active[rows], s.remaining[rows], 0)
    described = snap.describe_versions([int(v) for v in s.version_ids[rows]])
    out = []
    for j, i in enumerate(rows):
        d = described[int(s.version_ids[i])]
        out.append(ProjectHomes(
            code=d["code"], name=d["name"], municipality=s.municipality_codes[s.municipality[i]],
            new_build=float(new_build[j]), new_build_social=float(new_build[j] * social[j]),
            new_build_known=float(new_build[j] * known[j]), pipeline=float(pipeline[j]),
            pipeline_social=float(pipeline[j] * social[j]), pipeline_known=float(pipeline[j] * known[j]),
        ))  # fmt: skip
    return out


def for_woondeal(code: str, peiling_code: str, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """The distribution of woondeal `code` at the peiling: members and norm as agreed on the peiling date.
    Raises Http404 (unknown woondeal or peiling, no agreement yet on that date)."""
    if not Woondeal.objects.filter(code=code).exists():
        raise Http404(_("Onbekende woondeal '%(code)s'.") % {"code": code})
    peiling = Peiling.objects.filter(code=peiling_code).first()
    if peiling is None:
        raise Http404(_("Onbekende peiling '%(code)s'.") % {"code": peiling_code})
    on = peiling.reference_date
    version = store.as_agreed_on(code, on)
    if version is None:
        raise Http404(_("Woondeal %(code)s had op %(date)s nog geen afspraak.") % {"code": code, "date": on})
    members = rules.members_on(version.members, on, store.reference())
    norm, basis = agreed_norm(version)
    result = distribution(members, projects_in(snap.load(peiling.code), members), norm, threshold)
    names = dict(Municipality.objects.filter(code__in=members).values_list("code", "name"))
    for row in result["municipalities"]:
        row["name"] = names.get(row["municipality"], row["municipality"])
    result.update(code=code, name=version.name, version=version.number, peiling=peiling.code, date=on.isoformat(),
                  norm_basis=basis, members=members)  # fmt: skip
    return result
