"""The Woontop tracker's only writer: loading the agreements file (idempotent: what is already there is kept, new
afspraken and milestones are added) and setting a milestone's status for a quarter (append-only). Reading: the
national table (`table`) shared by the page, the API and woontop.report."""

import tomllib
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.woontop import rules
from bouwregie.woontop.models import Afspraak, Mijlpaal, Status

SHIPPED = Path(__file__).with_name("data") / "woontop-2024-12-11.toml"
AGREED_ON = date(2024, 12, 11)  # the Woontop (seed 004 p. 32: "Tijdens de Woontop op 11 december 2024")


class WoontopError(ValueError):
    pass


def read(path: Path = SHIPPED) -> dict:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WoontopError(_("%(path)s is onleesbaar: %(error)s") % {"path": Path(path).name, "error": error}) from None
    numbers = [str(a.get("nummer", "")) for a in data.get("afspraak", [])]
    for n, a in enumerate(data.get("afspraak", []), start=1):
        if not str(a.get("nummer", "")).strip() or not isinstance(a.get("pagina"), int) or not a.get("titel"):
            raise WoontopError(
                _("%(file)s, afspraak %(n)d: nummer, pagina en titel zijn verplicht.")
                % {"file": Path(path).name, "n": n}
            )
    for n, m in enumerate(data.get("mijlpaal", []), start=1):
        where = {"file": Path(path).name, "n": n, "code": m.get("code", "?")}
        if str(m.get("afspraak")) not in numbers:
            raise WoontopError(_("%(file)s, mijlpaal %(n)d (%(code)s): onbekende afspraak.") % where)
        if not isinstance(m.get("deadline"), date) or not m.get("tekst") or not m.get("code"):
            raise WoontopError(
                _("%(file)s, mijlpaal %(n)d (%(code)s): code, deadline (datum) en tekst zijn verplicht.") % where
            )
    return data


def load(path: Path = SHIPPED, author: str = "bouwregie", now: datetime | None = None) -> tuple[int, int]:
    """(afspraken added, milestones added); the file is checked as a whole first, then written in one transaction."""
    data = read(path)
    now = now or timezone.now()
    source = data.get("bron", Path(path).name)
    added = [0, 0]
    with transaction.atomic():
        for a in data.get("afspraak", []):
            _obj, created = Afspraak.objects.get_or_create(
                number=str(a["nummer"]),
                defaults={
                    "page": a["pagina"],
                    "title": a["titel"],
                    "partners": a.get("partners", []),
                    "parts": a.get("onderdelen", []),
                    "note": a.get("toelichting", ""),
                    "source": f"{source}, p. {a['pagina']}",
                },
            )
            added[0] += created
        by_number = {a.number: a for a in Afspraak.objects.all()}
        for m in data.get("mijlpaal", []):
            _obj, created = Mijlpaal.objects.get_or_create(
                code=m["code"],
                defaults={
                    "afspraak": by_number[str(m["afspraak"])],
                    "page": m.get("pagina"),
                    "deadline": m["deadline"],
                    "term": m.get("termijn", ""),
                    "term_rule": m.get("termijn_regel", ""),
                    "text": m["tekst"],
                    "quote": m.get("citaat", ""),
                    "source": f"{source}, p. {m.get('pagina', '?')}",
                    "added_at": now,
                    "added_by": author,
                },
            )
            added[1] += created
    return added[0], added[1]


def add_milestone(afspraak: str, code: str, deadline: date, term: str, text: str, source: str, author: str,
                  page: int | None = None, now: datetime | None = None) -> Mijlpaal:  # fmt: skip
    """A milestone the Rijk adds after the Woontop (a later agreement, a new date), with its own source; the
    milestones from the file stay as they are. A refused milestone writes nothing."""
    found = Afspraak.objects.filter(number=afspraak).first()
    if found is None:
        raise WoontopError(_("Afspraak %s bestaat niet.") % afspraak)
    for value, label in ((code, _("code")), (text, _("tekst")), (source, _("bron")), (term, _("termijn"))):
        if not str(value).strip():
            raise WoontopError(_("Het veld %s is verplicht.") % label)
    if Mijlpaal.objects.filter(code=code.strip()).exists():
        raise WoontopError(_("Mijlpaal '%s' bestaat al; een nieuwe datum is een nieuwe mijlpaal met een eigen code.")
                           % code)  # fmt: skip
    return Mijlpaal.objects.create(afspraak=found, code=code.strip(), page=page, deadline=deadline, term=term.strip(),
                                   text=text.strip(), source=source.strip(), added_at=now or timezone.now(),
                                   added_by=author)  # fmt: skip


def set_status(code: str, quarter: str, status: str, note: str, author: str, now: datetime | None = None) -> Status:
    """A milestone's status for a quarter; a later one for the same quarter supersedes it, the earlier stays."""
    mijlpaal = Mijlpaal.objects.filter(code=code).first()
    if mijlpaal is None:
        raise WoontopError(_("Onbekende mijlpaal '%s'.") % code)
    try:
        rules.parse_quarter(quarter)
    except ValueError as error:
        raise WoontopError(str(error)) from None
    first, last = rules.quarter_window(AGREED_ON, timezone.localdate(now) if now else timezone.localdate())
    if not rules.parse_quarter(first) <= rules.parse_quarter(quarter) <= rules.parse_quarter(last):
        raise WoontopError(
            _("Kwartaal %(quarter)s valt buiten %(first)s (de Woontop) tot en met %(last)s (het volgende kwartaal).")
            % {"quarter": quarter, "first": first, "last": last}
        )
    if status not in rules.STATUSES:
        raise WoontopError(
            _("Status '%(status)s' bestaat niet; kies uit %(known)s.")
            % {"status": status, "known": ", ".join(rules.STATUSES)}
        )
    if status == "te_laat" and not note.strip():
        raise WoontopError(_("Licht 'te laat' toe: wat is de oorzaak en wat is de nieuwe verwachting?"))
    return Status.objects.create(
        mijlpaal=mijlpaal,
        quarter=quarter,
        status=status,
        note=note.strip(),
        set_at=now or timezone.now(),
        set_by=author,
    )


def table(quarter: str | None = None, today: date | None = None) -> dict:
    """The national table for a quarter: per afspraak its milestones with the status that holds, the note and who
    set it, overdue flagged relative to `today` (default: today, or the quarter's last day for a past quarter),
    and what changed since the previous quarter."""
    today = today or timezone.localdate()
    quarter = quarter or rules.quarter_of(today)
    rules.parse_quarter(quarter)
    before = rules.previous_quarter(quarter)
    reference = min(today, rules.quarter_last_day(quarter))
    history: dict[int, list] = {}
    for s in Status.objects.order_by("set_at", "id"):
        history.setdefault(s.mijlpaal_id, []).append(s)
    afspraken, changed, counts = [], [], dict.fromkeys((*rules.STATUSES, "geen", "overdue"), 0)
    milestones = {}
    for m in Mijlpaal.objects.select_related("afspraak").order_by("deadline", "code"):
        milestones.setdefault(m.afspraak_id, []).append(m)
    for a in sorted(Afspraak.objects.all(), key=lambda a: tuple(int(x) for x in a.number.split("."))):
        rows = []
        for m in milestones.get(a.id, []):
            entries = history.get(m.id, [])
            pairs = [(e.quarter, e.status) for e in entries]
            now_status, then = rules.status_in(pairs, quarter), rules.status_in(pairs, before)
            latest = next(
                (e for e in reversed(entries) if rules.parse_quarter(e.quarter) <= rules.parse_quarter(quarter)), None
            )
            late = rules.overdue(m.deadline, now_status, reference)
            row = {
                "code": m.code,
                "text": m.text,
                "quote": m.quote,
                "deadline": m.deadline,
                "term": m.term,
                "page": m.page,
                "status": now_status,
                "previous": then,
                "changed": now_status != then,
                "overdue": late,
                "note": latest.note if latest else "",
                "set_by": latest.set_by if latest else "",
                "set_at": latest.set_at if latest else None,
            }
            counts[now_status or "geen"] += 1
            counts["overdue"] += late
            if row["changed"]:
                changed.append({"afspraak": a.number, **row})
            rows.append(row)
        afspraken.append(
            {
                "number": a.number,
                "title": a.title,
                "page": a.page,
                "partners": a.partners,
                "parts": a.parts,
                "milestones": rows,
            }
        )
    return {
        "quarter": quarter,
        "previous_quarter": before,
        "reference_date": reference,
        "afspraken": afspraken,
        "changes": changed,
        "counts": counts,
    }
