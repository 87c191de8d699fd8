"""Import one delivered plan list: read, map, normalise, validate, compare, and write new versions.

One transaction: by default any row error rejects the whole file and nothing is written; with
`allow_partial` valid rows are written and the rejects are kept in the import log. Every attempt is
logged (ImportRun), refusals and dry runs included. A project is matched by our projectcode when the
file has one, else by (source, external id). Only changed projects get a new version; projects of
this source that are missing from the delivery get a version "niet meer in planlijst".
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bouwregie import limits
from bouwregie.ingest.mapping import TableMapper
from bouwregie.ingest.merge import apply_row, describe_changes
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.profiles import choose_profile, load_profile, recognition
from bouwregie.ingest.readers import ImportRefused, Notice, read_table
from bouwregie.ingest.report import write_report
from bouwregie.projects import bulk, services
from bouwregie.projects.enums import Lifecycle, hardness
from bouwregie.projects.models import ExternalId, Project
from bouwregie.projects.rules import ProjectData, canonical, total_homes

log = logging.getLogger(__name__)


@dataclass
class ImportOptions:
    source: str
    profile: str | None = None
    sheet: str | None = None
    peiling: str | None = None
    dry_run: bool = False
    allow_partial: bool = False
    author: str = "import"
    report_path: Path | None = None
    header_row: int | None = None  # 1-based line of the header, when detection does not find it
    # Who may write what (web uploads): rows of a municipality for which this returns False are
    # errors. None (the CLI, run by an operator) allows every municipality.
    may_write: Callable[[str], bool] | None = None
    progress: Callable[[int, str], None] | None = None  # (percent, stage) for a background job


CHANGE_LIST_LIMIT = 5000  # per kind of change kept in the log for the preview; counts are always complete


@dataclass
class Plan:
    new: list = field(default_factory=list)  # ImportedProject
    changed: list = field(default_factory=list)  # (project id, services.Checked)
    links: list = field(default_factory=list)  # (project id, source, external id)
    unchanged: int = 0
    missing: int = 0
    valid: list = field(default_factory=list)  # ProjectData of every valid row (for the summary)
    problems: list = field(default_factory=list)  # Notice
    rejected_rows: int = 0
    rows: int = 0  # rows of the file
    records: int = 0  # what they became (a split row gives several)
    changes: dict = field(default_factory=lambda: {"new": [], "changed": [], "missing": []})

    def note_change(self, kind: str, **entry) -> None:
        if len(self.changes[kind]) < CHANGE_LIST_LIMIT:
            self.changes[kind].append(entry)


@dataclass
class ImportResult:
    run: ImportRun
    report_path: Path | None

    @property
    def refused(self) -> bool:
        return self.run.status == ImportRun.Status.GEWEIGERD


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_import(path, options: ImportOptions, now: datetime | None = None) -> ImportResult:
    with bulk.cycle_collector_paused():
        return _run_import(Path(path), options, now)


def _run_import(path: Path, options: ImportOptions, now: datetime | None) -> ImportResult:
    now = now or timezone.now()
    run = ImportRun(
        created_at=now, author=_fit("author", options.author), source=_fit("source", options.source),
        file_name=_fit("file_name", path.name), peiling_code=_fit("peiling_code", options.peiling),
        dry_run=options.dry_run, allow_partial=options.allow_partial, sheet=_fit("sheet", options.sheet),
        profile=_fit("profile", options.profile), header_row=_fitting_header_row(options.header_row),
    )  # fmt: skip
    if path.is_file() and path.stat().st_size <= settings.IMPORT_MAX_BYTES:
        run.file_size, run.file_sha256 = path.stat().st_size, file_sha256(path)
    try:
        if not str(options.source or "").strip():
            raise ImportRefused(_("Geef een bron op (bijv. --source 'Provincie Utrecht')."))
        _check_options(options)
        applied_before = _applied_imports(options.source)  # before anything is read: see _write
        if options.peiling:
            try:
                services.open_peiling_id(options.peiling)
            except services.PeilingClosedError:
                raise
            except ValueError as error:  # a malformed peiling code
                raise ImportRefused(str(error)) from None
        report = options.progress or (lambda percent, stage: None)
        report(5, _("Bestand lezen"))
        requested = load_profile(options.profile) if options.profile else None
        header_row = options.header_row or (requested.header_row if requested else None)
        table = read_table(path, options.sheet, header_row)
        binding = choose_profile(table.columns, requested, table.groups)
        run.file_format, run.profile = table.format, binding.profile.name
        run.counts = {"layout": recognition(binding)}
        report(20, _("Regels controleren"))
        plan = _plan(table, binding, options, now)
        report(85, _("Opslaan") if not options.dry_run else _("Verslag maken"))
    except (ImportRefused, services.PeilingClosedError) as refusal:
        run.status, run.message = ImportRun.Status.GEWEIGERD, str(refusal)
        run.save()
        return ImportResult(run, None)
    _fill_run(run, plan)
    if plan.rows and plan.rejected_rows >= plan.rows:  # nothing valid: a refusal, also with --allow-partial
        run.status = ImportRun.Status.GEWEIGERD
        run.message = _("Geen enkele regel is geldig; niets opgeslagen.")
    elif plan.rejected_rows and not options.allow_partial:
        run.status = ImportRun.Status.GEWEIGERD
        run.message = (
            ngettext(
                "%d regel met fouten; niets opgeslagen. Herstel de regel of gebruik --allow-partial.",
                "%d regels met fouten; niets opgeslagen. Herstel de regels of gebruik --allow-partial.",
                plan.rejected_rows,
            )
            % plan.rejected_rows
        )
    elif options.dry_run:
        run.status = ImportRun.Status.PROEF
    else:
        run.status = ImportRun.Status.GEDEELTELIJK if plan.rejected_rows else ImportRun.Status.GESLAAGD
    _write(run, plan, options, path, now, applied_before)
    report = options.report_path or Path(settings.VAR_DIR) / "imports" / f"import-{run.pk}-rapport.csv"
    return ImportResult(run, write_report(report, run.problems))


def _check_options(options: ImportOptions) -> None:
    """The options are stored in the import log: longer or larger than its columns is refused here, the same on
    SQLite and PostgreSQL (issue #16, fault 9), for the CLI, the web form and the API alike."""
    for field_name, value, label in (
        ("source", options.source, _("De bron")), ("profile", options.profile, _("Het profiel")),
        ("sheet", options.sheet, _("Het werkblad")), ("peiling_code", options.peiling, _("De peiling")),
    ):  # fmt: skip
        if message := limits.too_long(value, ImportRun, field_name, label):
            raise ImportRefused(message)
    if options.header_row is not None:
        if options.header_row < 1:
            raise ImportRefused(_("De kopregel is een regelnummer vanaf 1, niet %d.") % options.header_row)
        if message := limits.out_of_range(options.header_row, ImportRun, "header_row", _("De kopregel")):
            raise ImportRefused(message)


def _fit(field_name: str, value) -> str:
    """`value` cut to its column in the import log, so that even a refused run with a too long option is logged
    (the refusal itself names the whole value's length)."""
    return str(value or "")[: limits.max_length(ImportRun, field_name)]


def _fitting_header_row(value):
    low, high = limits.int_range(ImportRun, "header_row")
    return value if value is None or low <= value <= high else None


class ConcurrentImport(Exception):
    """Another import of the same source was saved while this one was being checked."""


def _applied_imports(source: str) -> int:
    """How many imports of this source have been saved: it grows with every one that commits."""
    applied = (ImportRun.Status.GESLAAGD, ImportRun.Status.GEDEELTELIJK)
    return ImportRun.objects.filter(source=source, dry_run=False, status__in=applied).count()


def _one_import_per_source(source: str) -> None:
    """Hold this source's import lock until the transaction ends. PostgreSQL: a transaction-level advisory
    lock, so a second import of the source waits here for the first to commit (any process, any machine).
    SQLite: the write transaction is IMMEDIATE (settings.py), which already admits one writer at a time."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(source.encode()).digest()[:4], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, key])


IMPORT_LOCK = 1616  # the advisory lock class of imports (issue #16)


def _write(run: ImportRun, plan: Plan, options: ImportOptions, path: Path, now, applied_before: int) -> None:
    """Save the run and, when it is not refused, what the plan writes: one transaction.

    One import per source at a time (issue #16): the plan was made outside any lock, so under the source's lock
    it is checked that no other import of this source was saved since this one started reading. If one was,
    this plan may be stale (it would write the same versions twice, or link the same external ids twice):
    nothing is written and the run says so. A database error is logged and the run refused, never raised."""
    writes = run.status in (ImportRun.Status.GESLAAGD, ImportRun.Status.GEDEELTELIJK)
    try:
        with transaction.atomic():
            if writes:
                _one_import_per_source(options.source)
                if _applied_imports(options.source) != applied_before:
                    raise ConcurrentImport(CONCURRENT % {"source": options.source})
                meta = services.VersionMeta(
                    author=options.author, source="import", created_at=now, peiling=options.peiling,
                    source_detail=f"{path.name} ({run.file_sha256[:12]})",
                    reason=_("Import planlijst %(source)s: %(file)s") % {"source": options.source, "file": path.name},
                )  # fmt: skip
                written = services.write_import(plan.new, plan.changed, plan.links, meta)
                _name_new_projects(run, written["ids"])
            run.save()
        return
    except ConcurrentImport as refusal:
        run.message = str(refusal)
    except services.PeilingClosedError as refusal:  # closed meanwhile
        run.message = str(refusal)
    except DatabaseError:
        log.exception("Import van %s (%s) niet opgeslagen door een databasefout", options.source, path.name)
        run.message = _("De import kon niet worden opgeslagen door een databasefout; er is niets opgeslagen. "
                        "Details staan in het serverlog.")  # fmt: skip
    run.pk, run.status = None, ImportRun.Status.GEWEIGERD
    run.save()


CONCURRENT = gettext_lazy(
    "Tegelijk met deze import is een andere import van bron '%(source)s' opgeslagen; deze is daarom niet "
    "opgeslagen (één import per bron tegelijk). Importeer het bestand opnieuw: dan wordt alleen opgeslagen wat "
    "nog verschilt."
)


def _plan(table, binding, options: ImportOptions, now) -> Plan:
    plan = Plan()
    plan.problems.extend(table.notices)
    for column in binding.unused:
        plan.problems.append(
            Notice(
                None,
                column,
                "",
                _("Kolom niet herkend door profiel '%s'; niet gebruikt.") % binding.profile.name,
            )
        )
    municipalities = services.matcher()
    results = []
    for label, part in binding.parts or [("", binding)]:
        mapper = TableMapper(part, municipalities, table, label)
        results += mapper.results()
        plan.problems.extend(mapper.file_notices)
    binding = binding.parts[0][1] if binding.parts else binding
    plan.rows = len(table.rows)
    plan.records = len(results)
    if options.progress:
        options.progress(40, _("Regels vergelijken met de projecten in Bouwregie"))
    _flag_duplicates(results, binding)
    existing_codes = _existing_codes({r.projectcode for r in results if r.projectcode})
    linked = dict(ExternalId.objects.filter(source=options.source).values_list("external_id", "project_id"))
    current = services.current_data(set(existing_codes.values()) | set(linked.values()))
    today = timezone.localtime(now).date()
    extra_kinds = services.extra_milestone_kinds()
    seen: set[int] = set()
    may_write = options.may_write or (lambda municipality: True)
    checked_records = []
    for i, r in enumerate(results):
        if options.progress and i % 1000 == 0:
            options.progress(40 + 40 * i // len(results), _("Regel %(i)d van %(n)d") % {"i": i + 1, "n": len(results)})
        project_id = existing_codes.get(r.projectcode) or linked.get(r.external_id)
        if project_id:
            seen.add(project_id)
        checked_records.append((r, project_id, *_check_record(r, project_id, current, binding, linked, today,
                                                              municipalities, extra_kinds, may_write)))  # fmt: skip
    # A row is one unit: when one record of a split row (its hard or its soft part) is refused, so is the row.
    refused_rows = {r.row for r in results if r.rejected}
    for r, project_id, data, checked in checked_records:
        if r.row in refused_rows and not r.rejected:
            r.problems.append(Notice(r.row, "", r.external_id or "", str(OTHER_PART_REFUSED), "fout"))
        plan.problems.extend(r.problems)
        if r.rejected:
            continue
        plan.valid.append(data)
        if project_id is None:
            externals = [(options.source, r.external_id)] if r.external_id else []
            plan.new.append(services.ImportedProject(r.projectcode, externals, checked))
            plan.note_change(
                "new",
                code=r.projectcode or "",
                external_id=r.external_id or "",
                name=data.name,
                municipality=data.municipality,
                homes=total_homes(data),
            )
            continue
        if r.external_id and linked.get(r.external_id) is None:
            plan.links.append((project_id, options.source, r.external_id))
        base = current[project_id][1]
        now_, before = canonical(data), canonical(base)
        if now_ == before:
            plan.unchanged += 1
        else:
            plan.changed.append((project_id, checked))
            plan.note_change(
                "changed",
                id=project_id,
                external_id=r.external_id or "",
                name=data.name,
                municipality=data.municipality,
                homes=total_homes(data),
                before=total_homes(base),
                fields=[f.name for f in CHANGE_FIELDS if getattr(now_, f.name) != getattr(before, f.name)],
                diff=describe_changes(base, data),
            )
    plan.rejected_rows = len(refused_rows)
    missing = set(linked.values()) - seen
    codes = _codes(missing)  # messages name a project by its projectcode, never by our internal id
    for project_id in sorted(missing):
        _number, base = current[project_id]
        if base.lifecycle not in services.GONE:
            gone = replace(base, lifecycle=Lifecycle.NIET_MEER_IN_PLANLIJST)
            checked, found = services.check(gone, today, municipalities, extra_kinds)
            if found:  # an old version that no longer passes today's rules: report, do not write
                plan.problems.append(Notice(None, "", codes[project_id], " ".join(p.message for p in found), "fout"))
                plan.rejected_rows += 1
                continue
            if not may_write(base.municipality):  # not this user's to mark as gone: it stays as it is
                message = MISSING_NOT_YOURS % {"code": codes[project_id], "municipality": base.municipality}
                plan.problems.append(Notice(None, "", codes[project_id], message, "waarschuwing"))
                continue
            plan.changed.append((project_id, checked))
            plan.missing += 1
            plan.note_change(
                "missing", id=project_id, name=base.name, municipality=base.municipality, homes=total_homes(base)
            )
    _name_projects(plan)
    return plan


CHANGE_FIELDS = fields(ProjectData)
MISSING_NOT_YOURS = gettext_lazy(
    "Project %(code)s ontbreekt in de lijst, maar u mag geen projecten in gemeente %(municipality)s wijzigen; "
    "het blijft ongewijzigd."
)


def _codes(project_ids) -> dict[int, str]:
    ids, found = sorted(project_ids), {}
    for start in range(0, len(ids), 5000):
        found.update(Project.objects.filter(id__in=ids[start : start + 5000]).values_list("id", "code"))
    return found


def _name_projects(plan: Plan) -> None:
    """Give the changed and missing projects of the preview their projectcode (they are known by id)."""
    ids = {e["id"] for kind in ("changed", "missing") for e in plan.changes[kind]}
    codes = dict(Project.objects.filter(id__in=ids).values_list("id", "code")) if ids else {}
    for kind in ("changed", "missing"):
        for entry in plan.changes[kind]:
            entry["code"] = codes.get(entry.pop("id"), "")


def _check_record(r, project_id, current, binding, linked, today, municipalities, extra_kinds, may_write):
    """(the version this record makes, Checked or None); every problem found is added to the record."""
    if project_id is None and not r.rejected:
        _require_for_new(r, binding)
    if r.rejected:
        return None, None
    base = current[project_id][1] if project_id else None
    data = _as_stored(apply_row(base, r.fields, r.blank, r.cells), r, binding)
    checked, found = services.check(data, today, municipalities, extra_kinds)
    for problem in found:
        r.problems.append(Notice(r.row, _column_for(problem.field, binding), "", problem.message, "fout"))
    for code in {data.municipality, base.municipality if base else ""}:  # where it is, and where it was
        if code and not may_write(code):
            r.problems.append(Notice(r.row, binding.column_of("municipality"), code,
                                     _("U mag geen projecten in gemeente %s wijzigen.") % code, "fout"))  # fmt: skip
    owner = linked.get(r.external_id)
    if owner and project_id and owner != project_id:
        r.problems.append(Notice(
            r.row, binding.column_of("external_id"), r.external_id,
            _("Extern id hoort in deze bron al bij een ander project dan projectcode %s.") % r.projectcode, "fout",
        ))  # fmt: skip
    return data, checked


OTHER_PART_REFUSED = gettext_lazy("Niet opgeslagen: een ander deel van deze regel (hard of zacht) is afgewezen.")


def _as_stored(data, r, binding):
    """The version as it will be read back, so that what is compared and previewed is what is written: with a
    dated oplevering the homes count in its year, not in a phasing (rules.delivery_phasing, services.version_data);
    a list whose own phasing is set aside that way is told so."""
    if not data.phasing or not any(m.kind == "oplevering" and m.date for m in data.milestones):
        return data
    if "phasing" in r.fields:
        column = binding.column_of("phasing") if "phasing" in binding.fields else ""
        column = column or " + ".join(binding.columns[i] for _period, i in binding.periods)
        r.problems.append(Notice(r.row, column, "", str(PHASING_SET_ASIDE), "waarschuwing"))
    return replace(data, phasing={})  # what services.version_data reads back: derived from the oplevering


PHASING_SET_ASIDE = gettext_lazy(
    "Fasering uit de lijst niet gebruikt: het project heeft een gedateerde oplevering, de woningen tellen in het "
    "jaar daarvan."
)


def _require_for_new(r, binding) -> None:
    """A new project needs a name, a municipality and a number of homes; an update may leave them out."""
    for attribute, target, message in REQUIRED_FOR_NEW:
        if attribute in r.blank or (attribute != "homes" and attribute not in r.fields):
            r.problems.append(Notice(r.row, binding.column_of(target), "", str(message), "fout"))


REQUIRED_FOR_NEW = (  # translated only when a row lacks one (an import checks tens of thousands of rows)
    ("name", "name", gettext_lazy("Projectnaam ontbreekt.")),
    ("municipality", "municipality", gettext_lazy("Gemeente ontbreekt.")),
    ("homes", "homes_total", gettext_lazy("Aantal woningen ontbreekt.")),
)


def _existing_codes(codes: set[str]) -> dict[str, int]:
    found, codes = {}, sorted(codes)
    for start in range(0, len(codes), 5000):
        found.update(Project.objects.filter(code__in=codes[start : start + 5000]).values_list("code", "id"))
    return found


def _flag_duplicates(results, binding) -> None:
    """An id that occurs more than once refuses each of its rows, naming the other rows (at most five).
    A row with a projectcode is matched by that code: a repeated external id beside it (an export of
    projects from several sources, each numbering 1, 2, 3 …) is not linked, and not an error."""
    for attribute, target in (("external_id", "external_id"), ("projectcode", "projectcode")):
        rows_of: dict[str, list[int]] = {}
        for r in results:
            if value := getattr(r, attribute):
                rows_of.setdefault(value, []).append(r.row)
        for r in results:
            value = getattr(r, attribute)
            if value and len(rows_of[value]) > 1 and attribute == "external_id" and r.projectcode:
                r.external_id = None  # matched by its projectcode; the ambiguous id is not linked
                continue
            if value and len(rows_of[value]) > 1:
                others = [n for n in rows_of[value] if n != r.row]
                shown = ", ".join(map(str, others[:5])) + (
                    _(" en %d meer") % (len(others) - 5) if len(others) > 5 else ""
                )
                r.problems.append(
                    Notice(r.row, binding.column_of(target), value, _("Id komt ook voor in rij %s.") % shown, "fout")
                )


FIELD_COLUMNS = {"homes": "homes_total", "milestones": "oplevering_homes"}


def _column_for(field_name: str, binding) -> str:
    return binding.column_of(FIELD_COLUMNS.get(field_name, field_name))


def _fill_run(run: ImportRun, plan: Plan) -> None:
    homes = Counter()
    per_municipality: dict[str, Counter] = {}
    for data in plan.valid:
        if data.lifecycle in services.GONE:
            continue
        n, kind = (
            total_homes(data),
            {"hard": "hard", "zacht": "soft"}.get(hardness(data.plan_status), "unknown"),
        )
        homes["homes"] += n
        homes[kind] += n
        homes["demolitions"] += data.demolitions
        row = per_municipality.setdefault(data.municipality, Counter())
        row["projects"] += 1
        row["homes"] += n
        row[kind] += n
        row["demolitions"] += data.demolitions
    warnings = sum(p.severity == "waarschuwing" for p in plan.problems)
    run.counts = {
        **run.counts,
        "rows": plan.rows, "records": plan.records, "valid": plan.rows - plan.rejected_rows,
        "rejected": plan.rejected_rows,
        "warnings": warnings, "new": len(plan.new), "changed": len(plan.changed) - plan.missing,
        "unchanged": plan.unchanged, "missing": plan.missing, "homes": homes["homes"], "hard": homes["hard"],
        "soft": homes["soft"], "unknown": homes["unknown"], "demolitions": homes["demolitions"],
        "plans": sum(1 for d in plan.valid if d.lifecycle not in services.GONE),
    }  # fmt: skip
    run.by_municipality = {
        code: {k: row.get(k, 0) for k in ("projects", "homes", "hard", "soft", "unknown", "demolitions")}
        for code, row in per_municipality.items()
    }
    run.changes = plan.changes
    run.problems = [
        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason, "severity": p.severity}
        for p in sorted(plan.problems, key=lambda p: (p.row or 0, p.severity != "fout"))
    ]


def _name_new_projects(run: ImportRun, ids: list[int]) -> None:
    """The new projects of the log get their projectcode once written (the result page links them)."""
    entries = run.changes.get("new", [])  # the log keeps the first CHANGE_LIST_LIMIT: only those need a code
    codes = dict(Project.objects.filter(id__in=ids[: len(entries)]).values_list("id", "code"))
    for entry, project_id in zip(entries, ids, strict=False):
        entry["code"] = codes.get(project_id, "")
