"""Load one LV-BAG extract file: every voorkomen stored as read, the woningen derived (events.py), all or
nothing, in one streaming pass with flat memory.

- The same file (same SHA-256) loads once; loading it again is a no-op that names the earlier load.
- A newer extract of the same area is a new extract: both are kept (queries.py uses the newest). A file of an
  object type, stand and area already loaded is a part of that delivery, not a newer extract: refused.
- Panden are read before verblijfsobjecten (lvbag.parts orders the parts); their events are kept compactly in
  memory (one small record per pand) for the verblijfsobjecten that follow. A file of verblijfsobjecten only
  uses the panden of an earlier loaded extract with the same stand and area; a pand file loaded after the
  verblijfsobjecten of its stand rebuilds their woningen.
- The extract is sorted by identificatie, so one object's voorkomens are consecutive; a file that is not is
  still loaded completely, and its woningen are then derived again from the stored voorkomens.
- dry_run: read and derive everything, write nothing.
"""

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bouwregie.backup.archive import sha256_of
from bouwregie.bag import events, lvbag
from bouwregie.bag.store import VOORKOMEN_COLUMNS, WONING_COLUMNS, BatchWriter, json_list, voorkomen_row
from bouwregie.formatting import number

TRANSFORM_BATCH = 5000


@dataclass
class Report:
    """What one load read and derived, for the command line and the import log."""

    file_name: str
    sha256: str
    extract_id: int | None = None
    already_loaded: bool = False
    dry_run: bool = False
    stand: str | None = None
    gebied: str = ""
    gemeenten: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    objects: Counter = field(default_factory=Counter)
    voorkomens: Counter = field(default_factory=Counter)
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    woningen: int = 0
    origins: Counter = field(default_factory=Counter)
    deliveries: dict = field(default_factory=lambda: defaultdict(Counter))  # year → municipality → new build
    starts: dict = field(default_factory=lambda: defaultdict(Counter))
    warnings: list = field(default_factory=list)
    links: list = field(default_factory=list)  # lines of the linking run after the load (registraties.store)

    def lines(self) -> list[str]:
        """The report in Dutch, one line each (per year: NL total and per municipality)."""
        if self.already_loaded:
            return [_("%(name)s is al geladen (extract %(id)s, stand %(stand)s); er is niets toegevoegd.")
                    % {"name": self.file_name, "id": self.extract_id, "stand": _dutch(self.stand)}]  # fmt: skip
        area = (
            _("heel Nederland")
            if self.gebied == "NL" or not self.gemeenten
            else _("gemeente %(codes)s") % {"codes": ", ".join(self.gemeenten)}
        )
        out = [
            _("BAG-extract %(name)s: stand %(stand)s, %(area)s, %(parts)s deel/delen.")
            % {"name": self.file_name, "stand": _dutch(self.stand), "area": area, "parts": len(self.parts)}
        ]
        for kind in ("PND", "VBO", "NUM"):
            if self.voorkomens[kind]:
                out.append(_("%(type)s: %(objects)s objecten, %(voorkomens)s voorkomens.")
                           % {"type": kind, "objects": number(self.objects[kind]),
                              "voorkomens": number(self.voorkomens[kind])})  # fmt: skip
                for status, count in self.statuses[kind].most_common():
                    out.append(f"  {status}: {number(count)}")
        if self.voorkomens["VBO"]:
            out.append(_("Woningen (verblijfsobjecten met woonfunctie): %(n)s; nieuwbouw %(new)s, toevoeging "
                         "%(added)s, bestaand bij registratie %(existing)s.")
                       % {"n": number(self.woningen), "new": number(self.origins["nieuwbouw"]),
                          "added": number(self.origins["toevoeging"]),
                          "existing": number(self.origins["bestaand"])})  # fmt: skip
        for label, table in ((_("Opgeleverd (nieuwbouw)"), self.deliveries), (_("Bouw gestart"), self.starts)):
            for year in sorted(table):
                per = table[year]
                detail = ", ".join(f"{code} {number(n)}" for code, n in sorted(per.items()))
                total = number(sum(per.values()))
                out.append(
                    _("%(label)s %(year)s: NL %(total)s (%(detail)s)")
                    % {"label": label, "year": year, "total": total, "detail": detail}
                )
        out += [_("waarschuwing: %(text)s") % {"text": w} for w in self.warnings]
        out += self.links
        if self.dry_run:
            out.append(_("Proefdraaien: er is niets opgeslagen."))
        return out


def _dutch(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d-%m-%Y") if iso else "?"


class _DryRun(Exception):
    pass


def import_file(path, dry_run: bool = False, author: str = "bouwregie") -> Report:
    """Load the LV-BAG extract at `path` (XML part, zip of parts or national package); see the module doc.
    Raises lvbag.BagFileError (a Dutch message naming file, line and value) and writes nothing then."""
    from bouwregie.bag.models import BagExtract

    path = Path(path)
    if not path.is_file():
        raise lvbag.BagFileError(_("Het bestand '%(name)s' bestaat niet.") % {"name": path.name})
    sha = sha256_of(path)
    earlier = BagExtract.objects.filter(sha256=sha).first()
    if earlier is not None:
        return Report(path.name, sha, earlier.id, already_loaded=True, stand=earlier.stand_date.isoformat(),
                      gebied=earlier.gebied, gemeenten=earlier.gemeenten)  # fmt: skip
    report = Report(path.name, sha, dry_run=dry_run)
    try:
        with transaction.atomic():
            _Load(path, report, author, dry_run).run()
    except IntegrityError as error:
        if BagExtract.objects.filter(sha256=sha).exists():  # loaded by someone else meanwhile
            return import_file(path, dry_run, author)
        duplicate = _first_duplicate(path)
        if duplicate:
            raise lvbag.BagFileError(duplicate) from None
        raise lvbag.BagFileError(
            _("%(name)s: een object heeft twee voorkomens met dezelfde voorkomenidentificatie; er is niets "
              "geladen (%(detail)s).") % {"name": path.name, "detail": error}
        ) from None  # fmt: skip
    if not dry_run:
        _link(report, author)
    return report


def _duplicate_message(part: str, v: lvbag.Voorkomen, earlier_part: str, earlier_line) -> str:
    return _(
        "%(name)s, regel %(line)s: object %(id)s heeft voorkomen %(n)s al eerder (%(earlier)s, regel %(earlier_line)s);"
        " een voorkomenidentificatie hoort per object één keer voor te komen. Er is niets geladen."
    ) % {"name": part, "line": v.regel or "?", "id": v.identificatie, "n": v.voorkomen, "earlier": earlier_part,
         "earlier_line": earlier_line or "?"}  # fmt: skip


def _first_duplicate(path: Path) -> str | None:
    """The first voorkomen that occurs twice in `path`, as a message naming both places. Only after the store
    refused the file (an object's voorkomens apart from each other, which a streaming load cannot see): this
    second reading keeps every key, which the load itself does not."""
    seen: dict = {}
    for part, _header, v in lvbag.read(path):
        key = (v.object_type, v.identificatie, v.voorkomen)
        if key in seen:
            return _duplicate_message(part, v, *seen[key])
        seen[key] = (part, v.regel)
    return None


def _link(report: Report, author: str) -> None:
    """Link the woningen of the municipalities this extract covers to the projects anew (registraties.store):
    the newest extract of each is linked, one new link set per extract."""
    from bouwregie.registraties import store

    codes = None if report.gebied == "NL" or not report.gemeenten else [f"GM{c}" for c in report.gemeenten]
    report.links = [store.describe(link_set) for link_set in store.relink(codes, author=author)]


def _overlaps(gebied_a, gemeenten_a, gebied_b, gemeenten_b) -> bool:
    return (
        gebied_a == "NL"
        or gebied_b == "NL"
        or not gemeenten_a
        or not gemeenten_b
        or bool(set(gemeenten_a) & set(gemeenten_b))
    )


class _Municipalities:
    """GM code of a woning: the extract's gemeente when it covers one, else the first four digits of the
    identificatie (the gemeente that created it), a former municipality mapped to its successor."""

    def __init__(self, gemeenten: list, gebied: str):
        # The shipped reference files (as the CBS import), not the database: an import on a database where
        # `bouwregie init` has not loaded the municipalities yet must map the same way.
        from bouwregie.cbs.regions import region_map

        regions = region_map()
        self.current = set(regions.current)
        self.successor = {code: found[2][0] for code, found in regions.former.items() if len(found[2]) == 1}
        self.unknown: set[str] = set()
        self.fixed = self.of_code(gemeenten[0]) if gebied != "NL" and len(gemeenten) == 1 else None

    def of_code(self, code4: str) -> str:
        code = f"GM{code4}"
        if code in self.current:
            return code
        if code in self.successor:
            return self.successor[code]
        self.unknown.add(code)
        return code

    def __call__(self, identificatie: str) -> str:
        return self.fixed or self.of_code(identificatie[:4])


class _Load:
    def __init__(self, path: Path, report: Report, author: str, dry_run: bool):
        self.path, self.report, self.author, self.dry_run = path, report, author, dry_run
        self.extract = None
        self.panden: dict[int, events.PandEvents] = {}
        self.panden_from_db = False
        self.group: list = []
        self.previous: dict[str, str] = {}
        self.unsorted: set[str] = set()
        self.pending: list[events.Woning] = []
        self.voorkomens = None
        self.woningen = None
        self.municipality = None
        self._dates: dict[str, str] = {}

    # -- reading ------------------------------------------------------------------------------------------
    def run(self) -> None:
        report = self.report
        for part, header, v in lvbag.read(self.path):
            if self.extract is None and not report.parts:
                self._start(header)
            if not report.parts or report.parts[-1] != part:
                self._next_part(part, header)
            kind = v.object_type
            if not report.voorkomens[kind]:
                self._refuse_part_of_loaded(kind, part)
            report.voorkomens[kind] += 1
            report.statuses[kind][v.status] += 1
            if self.voorkomens is not None:
                self.voorkomens.add(voorkomen_row(self.extract.id, v))
            group = self.group
            if group and (group[0].identificatie != v.identificatie or group[0].object_type != kind):
                self._close_group()
                group = self.group
            if group and v.voorkomen in {g.voorkomen for g in group}:
                earlier = next(g for g in group if g.voorkomen == v.voorkomen)
                raise lvbag.BagFileError(_duplicate_message(part, v, part, earlier.regel))
            self.group.append(v)
        if not report.parts:
            raise lvbag.BagFileError(_("%(name)s bevat geen BAG-objecten (panden, verblijfsobjecten of "
                                       "nummeraanduidingen).") % {"name": self.path.name})  # fmt: skip
        self._close_group()
        self._flush_woningen()
        if self.voorkomens is not None:
            self.voorkomens.flush()
        if self.unsorted & {"PND", "VBO"}:
            report.warnings.append(_("het bestand is niet op identificatie gesorteerd; de woningen zijn afgeleid "
                                     "uit de opgeslagen voorkomens."))  # fmt: skip
            if not self.dry_run:
                report.woningen, report.origins = 0, Counter()
                report.deliveries, report.starts = defaultdict(Counter), defaultdict(Counter)
                self._derive_from_db()
        if self.municipality and self.municipality.unknown:
            report.warnings.append(_("onbekende gemeentecodes (geen huidige gemeente of herindeling): %(codes)s")
                                   % {"codes": ", ".join(sorted(self.municipality.unknown))})  # fmt: skip
        if report.voorkomens["VBO"] and not report.voorkomens["PND"] and not self.panden:
            report.warnings.append(_("geen panden van dezelfde stand geladen: vergunning en bouwstart uit de "
                                     "panden ontbreken; laad het pandbestand, dan worden de woningen opnieuw "
                                     "afgeleid."))  # fmt: skip
        if not self.dry_run:
            self._finish()
        if report.voorkomens["PND"] and not report.voorkomens["VBO"] and not self.dry_run:
            self._rederive_dependants()

    def _start(self, header: lvbag.Header) -> None:
        from bouwregie.bag.models import BagExtract

        report = self.report
        if not header.stand:
            raise lvbag.BagFileError(_("%(name)s: de StandTechnischeDatum ontbreekt in de kop van het bestand.")
                                     % {"name": self.path.name})  # fmt: skip
        report.stand = header.stand
        report.gebied = "NL" if header.gebied.upper() in ("NL", "NEDERLAND") or not header.gemeenten else "GEMEENTE"
        report.gemeenten = sorted(set(header.gemeenten)) if report.gebied != "NL" else []
        self.municipality = _Municipalities(report.gemeenten, report.gebied)
        if self.dry_run:
            return
        self.extract = BagExtract.objects.create(
            file_name=self.path.name, sha256=report.sha256, stand_date=header.stand, gebied=report.gebied,
            gemeenten=report.gemeenten, loaded_by=self.author,
        )  # fmt: skip
        report.extract_id = self.extract.id
        self.voorkomens = BatchWriter("bag_bagvoorkomen", VOORKOMEN_COLUMNS)
        self.woningen = BatchWriter("bag_bagwoning", WONING_COLUMNS)

    def _next_part(self, part: str, header: lvbag.Header) -> None:
        if header.stand != self.report.stand:
            raise lvbag.BagFileError(
                _("%(name)s heeft stand %(stand)s, het eerste deel stand %(first)s: één extract heeft één stand.")
                % {"name": part, "stand": header.stand, "first": self.report.stand}
            )
        if self.report.gebied != "NL":
            self.report.gemeenten = sorted(set(self.report.gemeenten) | set(header.gemeenten))
        self.report.parts.append(part)
        self.previous.clear()

    def _close_group(self) -> None:
        group, self.group = self.group, []
        if not group:
            return
        first = group[0]
        kind = first.object_type
        self.report.objects[kind] += 1
        if self.previous.get(kind, "") > first.identificatie:
            self.unsorted.add(kind)
        self.previous[kind] = first.identificatie
        if kind == "PND":
            found = events.pand_events(group)
            if found is not None:
                self.panden[int(first.identificatie)] = self._compact(found)
        elif kind == "VBO":
            if not self.panden and not self.panden_from_db:
                self.panden_from_db = True
                self._load_panden_from_db()
            self._add_woning(events.woning(group, _PandLookup(self.panden)))

    def _compact(self, found: events.PandEvents) -> events.PandEvents:
        """The same events with shared date strings (a province has a million panden, a few thousand dates)."""
        d = self._dates
        return events.PandEvents(
            "", *(d.setdefault(v, v) if v else None for v in (found.permit, found.started, found.in_use,
                                                              found.demolished, found.not_realised)),
            found.wrongly_registered, sys.intern(found.status_now),
        )  # fmt: skip

    # -- woningen -----------------------------------------------------------------------------------------
    def _add_woning(self, woning: events.Woning | None) -> None:
        if woning is None:
            return
        report = self.report
        report.woningen += 1
        if woning.origin:
            report.origins[woning.origin] += 1
        municipality = self.municipality(woning.identificatie)
        if woning.origin == "nieuwbouw":
            report.deliveries[int(woning.delivery_date[:4])][municipality] += 1
        if woning.start_date:
            report.starts[int(woning.start_date[:4])][municipality] += 1
        if self.woningen is not None:
            self.pending.append(woning)
            if len(self.pending) >= TRANSFORM_BATCH:
                self._flush_woningen()

    def _flush_woningen(self) -> None:
        if not self.pending or self.woningen is None:
            self.pending = []
            return
        lon, lat = _to_wgs84([w.x for w in self.pending], [w.y for w in self.pending])
        extract_id = self.extract.id
        for w, lo, la in zip(self.pending, lon, lat, strict=True):
            self.woningen.add((extract_id, w.identificatie, self.municipality(w.identificatie), w.x, w.y, lo, la,
                               json_list(w.pand_ids) or "[]", w.permit_date, w.start_date, w.delivery_date,
                               w.demolition_date, w.not_realised_date, w.origin, w.status_now))  # fmt: skip
        self.pending = []

    def _finish(self) -> None:
        from bouwregie.bag.models import BagExtract

        self._flush_woningen()
        if self.woningen is not None:
            self.woningen.flush()
        report = self.report
        counts = {"objecten": dict(report.objects), "voorkomens": dict(report.voorkomens),
                  "statussen": {k: dict(v) for k, v in report.statuses.items()}, "woningen": report.woningen,
                  "herkomst": dict(report.origins)}  # fmt: skip
        BagExtract.objects.filter(pk=self.extract.pk).update(
            object_types=sorted(report.voorkomens), parts=report.parts, counts=counts
        )

    # -- panden and woningen from earlier loads --------------------------------------------------------------
    def _matching_extracts(self, with_type: str):
        from bouwregie.bag.models import BagExtract

        report = self.report
        found = []
        for extract in BagExtract.objects.filter(stand_date=report.stand).exclude(pk=report.extract_id):
            if with_type in extract.object_types and _overlaps(report.gebied, report.gemeenten, extract.gebied,
                                                               extract.gemeenten):  # fmt: skip
                found.append(extract)
        return found

    def _refuse_part_of_loaded(self, kind: str, part: str) -> None:
        """A file of an object type, area and stand that is already loaded is a part (-000001, -000002, …) of
        that delivery, not a newer extract: loaded as one it would become "the newest extract" and a fragment
        would replace the whole (issue #18, reviewer's point 6). Refused; the whole delivery loads in one go."""
        for extract in self._matching_extracts(kind):
            raise lvbag.BagFileError(
                _("%(name)s: %(type)s met stand %(stand)s van dit gebied is al geladen als extract %(id)s "
                  "(%(file)s). Een deel van een levering is geen nieuwer extract: laad de hele levering (de zip met "
                  "alle delen) in één keer. Er is niets geladen.")
                % {"name": part, "type": kind, "stand": _dutch(self.report.stand), "id": extract.id,
                   "file": extract.file_name}
            )  # fmt: skip

    def _load_panden_from_db(self) -> None:
        for extract in self._matching_extracts("PND"):
            for group in _stored_groups(extract, "PND"):
                found = events.pand_events(group)
                if found is not None:
                    self.panden[int(group[0].identificatie)] = self._compact(found)

    def _derive_from_db(self) -> None:
        """Woningen of this extract again, from its stored voorkomens (ordered by identificatie)."""
        from bouwregie.bag.models import BagWoning

        BagWoning.objects.filter(extract=self.extract).delete()
        self.woningen = BatchWriter("bag_bagwoning", WONING_COLUMNS)
        if self.unsorted & {"PND"}:
            self.panden = {}
            for group in _stored_groups(self.extract, "PND"):
                found = events.pand_events(group)
                if found is not None:
                    self.panden[int(group[0].identificatie)] = self._compact(found)
        if not self.panden:
            self._load_panden_from_db()
        for group in _stored_groups(self.extract, "VBO"):
            self._add_woning(events.woning(group, _PandLookup(self.panden)))
        self._flush_woningen()

    def _rederive_dependants(self) -> None:
        """A pand file loaded after the verblijfsobjecten of its stand: their woningen, again, with these panden."""
        from bouwregie.bag.models import BagWoning

        for extract in self._matching_extracts("VBO"):
            BagWoning.objects.filter(extract=extract).delete()
            load = _Load(self.path, Report(extract.file_name, extract.sha256), self.author, dry_run=False)
            load.extract = extract
            load.panden = self.panden
            load.municipality = _Municipalities(extract.gemeenten, extract.gebied)
            load.woningen = BatchWriter("bag_bagwoning", WONING_COLUMNS)
            for group in _stored_groups(extract, "VBO"):
                load._add_woning(events.woning(group, _PandLookup(self.panden)))
            load._flush_woningen()
            load.woningen.flush()
            self.report.warnings.append(_("woningen van %(name)s opnieuw afgeleid met deze panden (%(n)s).")
                                        % {"name": extract.file_name, "n": number(load.report.woningen)})  # fmt: skip


class _PandLookup:
    """The compact pand table seen as identificatie (text) → PandEvents, as events.woning expects."""

    __slots__ = ("table",)

    def __init__(self, table: dict):
        self.table = table

    def __contains__(self, identificatie: str) -> bool:
        return identificatie.isdigit() and int(identificatie) in self.table

    def __getitem__(self, identificatie: str) -> events.PandEvents:
        return self.table[int(identificatie)]


_STORED = ("identificatie", "voorkomen", "status", "begin_geldigheid", "eind_geldigheid", "tijdstip_inactief",
           "gebruiksdoelen", "pand_ids", "x", "y")  # fmt: skip


def _stored_groups(extract, kind: str):
    """The stored voorkomens of one type of `extract`, one list per object, as lvbag.Voorkomen."""
    from bouwregie.bag.models import BagVoorkomen

    rows = (BagVoorkomen.objects.filter(extract=extract, object_type=kind)
            .order_by("identificatie", "voorkomen").values_list(*_STORED).iterator(chunk_size=10_000))  # fmt: skip
    group: list = []
    for ident, number_, status, begin, eind, inactief, doelen, panden, x, y in rows:
        if group and group[0].identificatie != ident:
            yield group
            group = []
        group.append(
            lvbag.Voorkomen(kind, ident, number_, status, begin.isoformat(), eind.isoformat() if eind else None,
                            inactief=inactief, gebruiksdoelen=tuple(doelen or ()), pand_ids=tuple(panden or ()),
                            x=x, y=y)
        )  # fmt: skip
    if group:
        yield group


_TRANSFORMER = None


def _to_wgs84(xs: list, ys: list) -> tuple[list, list]:
    """RD New (EPSG:28992) → WGS84 lon/lat (EPSG:4326), one pyproj call per batch; None stays None."""
    global _TRANSFORMER
    import numpy as np

    if _TRANSFORMER is None:
        from pyproj import Transformer

        _TRANSFORMER = Transformer.from_crs(28992, 4326, always_xy=True)
    x = np.array(xs, dtype=float)  # None → nan
    y = np.array(ys, dtype=float)
    lon, lat = _TRANSFORMER.transform(x, y)
    lon, lat = np.round(np.asarray(lon), 7), np.round(np.asarray(lat), 7)
    missing = np.isnan(lon) | np.isnan(lat)
    if not missing.any():
        return lon.tolist(), lat.tolist()
    return ([None if m else v for v, m in zip(lon.tolist(), missing.tolist(), strict=True)],
            [None if m else v for v, m in zip(lat.tolist(), missing.tolist(), strict=True)])  # fmt: skip
