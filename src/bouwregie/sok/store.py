"""The SOK administration's only writer: loading an agreement's data file (all or nothing), and booking invoices,
expenditures, budget changes and the annual account — each an append-only row with who and when. Reading: the
overview per year (`year_overview`) that the pages, the API and the exports share."""

import tomllib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.geo.models import Province
from bouwregie.instruments import regulation
from bouwregie.instruments.money import bedrag
from bouwregie.sok import rules
from bouwregie.sok.models import (
    Activity,
    Agreement,
    AnnualAccount,
    BudgetChange,
    BudgetLine,
    Contribution,
    Expenditure,
    Invoice,
    Jaarplan,
    Party,
)

SEED_2024 = Path(__file__).with_name("data") / "sok-2024.toml"
ACTIVITIES = Path(__file__).with_name("data") / "jaarplan-activiteiten.toml"
VAT_DIR = Path(__file__).with_name("btw")


class SokError(ValueError):
    pass


class YearClosed(SokError):
    """The year's annual account is recorded (art. 6.5): nothing more is booked on it (API 409)."""


class InvoicesExist(SokError):
    """Every party to invoice already has its invoice for the year (issue #23: a second run said nothing and
    succeeded); API 409, a non-zero exit on the command line, an error on the page."""


def _open(jaarplan: Jaarplan) -> None:
    account = jaarplan.annualaccount_set.order_by("sent_on").first()
    if account is not None:
        raise YearClosed(
            _("Het jaar %(year)s is afgesloten: de verantwoording is op %(day)s verstuurd; er kan niets meer bij.")
            % {"year": jaarplan.year, "day": account.sent_on.isoformat()}
        )


def vat_in_force(on: date) -> regulation.Regulation:
    """The VAT configuration (sok/btw/*.toml, read like the instruments' regulations) that applies on `on`."""
    versions = sorted((regulation.load(f) for f in VAT_DIR.glob("*.toml")), key=lambda r: r.valid_from)
    valid = [r for r in versions if r.valid_from <= on]
    if not valid:
        raise SokError(_("Geen btw-tarief bekend op %s.") % on.isoformat())
    return valid[-1]


def _cents(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SokError(
            _("%(where)s: '%(value)s' is geen bedrag in hele centen (0 of meer).") % {"where": where, "value": value}
        )
    return value


def _need(table: dict, key: str, where: str):
    if key not in table or table[key] in ("", None):
        raise SokError(_("%(where)s: '%(key)s' ontbreekt.") % {"where": where, "key": key})
    return table[key]


def _read_toml(path: Path) -> dict:
    """A data file's TOML; SokError naming the file when it cannot be read or parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SokError(_("%(path)s is onleesbaar: %(error)s") % {"path": path.name, "error": error}) from None


def load(path: Path | str, author: str = "bouwregie", now: datetime | None = None) -> Jaarplan:
    """An agreement's data file: the agreement and parties (once), and its jaarplan (a year loaded once).
    Every field is checked before anything is written; an error names the file, the part and the value."""
    path = Path(path)
    data, name = _read_toml(path), path.name
    for key in ("naam", "bron", "ingang", "einde", "penvoerder", "jaarplan"):
        _need(data, key, name)
    for key in ("ingang", "einde"):
        if not isinstance(data[key], date):
            raise SokError(_("%(file)s: '%(key)s' moet een datum zijn (2024-01-01).") % {"file": name, "key": key})
    known = set(Province.objects.values_list("code", flat=True))
    parties = data.get("partij", [])
    codes = []
    for n, p in enumerate(parties, start=1):
        where = _("%(file)s, partij %(n)d") % {"file": name, "n": n}
        code = _need(p, "provincie", where)
        if code not in known:
            raise SokError(_("%(where)s: onbekende provinciecode '%(code)s'.") % {"where": where, "code": code})
        try:
            Decimal(str(p.get("fte", "0")))
        except InvalidOperation:
            raise SokError(_("%(where)s: fte '%(fte)s' is geen getal.") % {"where": where, "fte": p["fte"]}) from None
        codes.append(code)
    if data["penvoerder"] not in codes:
        raise SokError(
            _("%(file)s: de penvoerder %(code)s is geen partij.") % {"file": name, "code": data["penvoerder"]}
        )
    plan = data["jaarplan"]
    year = _need(plan, "jaar", f"{name}, jaarplan")
    lines = plan.get("post", [])
    contributions = plan.get("bijdrage", [])
    for n, line in enumerate(lines, start=1):
        where = _("%(file)s, begrotingspost %(n)d") % {"file": name, "n": n}
        _need(line, "naam", where)
        _cents(_need(line, "bedrag_cent", where), where)
    for n, c in enumerate(contributions, start=1):
        where = _("%(file)s, bijdrage %(n)d") % {"file": name, "n": n}
        if _need(c, "provincie", where) not in codes:
            raise SokError(_("%(where)s: %(code)s is geen partij.") % {"where": where, "code": c["provincie"]})
        _cents(_need(c, "bedrag_cent", where), where)
        _cents(c.get("in_natura_cent", 0), where)
    now = now or timezone.now()
    with transaction.atomic():
        agreement = Agreement.objects.filter(name=data["naam"]).first()
        if agreement is None:
            agreement = Agreement.objects.create(
                name=data["naam"],
                source=data["bron"],
                starts_on=data["ingang"],
                ends_on=data["einde"],
                extension_years=data.get("verlenging_jaren", 0),
                extension_talks_months=data.get("overleg_verlenging_maanden", 3),
                notice_months=data.get("opzegtermijn_maanden", 3),
                penvoerder=data["penvoerder"],
            )
            for p in parties:
                Party.objects.create(
                    agreement=agreement,
                    province=p["provincie"],
                    name=p.get("naam", p["provincie"]),
                    fte=Decimal(str(p.get("fte", "0"))),
                    source=p.get("bron", data["bron"]),
                )
            if data.get("activiteiten"):  # the jaarplannen's activities (seed 001, Bijlage 1 and 2), with pages
                load_activities(path.with_name(data["activiteiten"]), author, now)
        if Jaarplan.objects.filter(agreement=agreement, year=year).exists():
            raise SokError(
                _("Het jaarplan %(year)s van '%(name)s' is al geladen; er is niets gewijzigd.")
                % {"year": year, "name": agreement.name}
            )
        jaarplan = Jaarplan.objects.create(
            agreement=agreement,
            year=year,
            adopted_on=plan.get("vastgesteld", timezone.localdate(now)),  # the Dutch day
            stated_total_cents=plan.get("begroting_totaal_genoemd_cent"),
            source=plan.get("bron", data["bron"]),
            loaded_at=now,
            loaded_by=author,
        )
        try:
            for i, line in enumerate(lines):
                BudgetLine.objects.create(
                    jaarplan=jaarplan,
                    position=i,
                    name=line["naam"],
                    amount_cents=line["bedrag_cent"],
                    source=line.get("bron", plan.get("bron", "")),
                )
        except IntegrityError:
            raise SokError(_("%s: een begrotingspost staat twee keer in het jaarplan.") % name) from None
        by_code = {p.province: p for p in agreement.parties.all()}
        for c in contributions:
            Contribution.objects.create(
                jaarplan=jaarplan,
                party=by_code[c["provincie"]],
                amount_cents=c["bedrag_cent"],
                in_kind_cents=c.get("in_natura_cent", 0),
                in_kind=c.get("in_natura", ""),
                source=c.get("bron", ""),
            )
    return jaarplan


def load_activities(path: Path | str = ACTIVITIES, author: str = "bouwregie", now: datetime | None = None) -> int:
    """The activities of the jaarplannen (seed 001, Bijlage 1 and 2) from a data file with a page per activity,
    for an agreement already loaded. All or nothing: every field is checked first, and a year whose activities
    are loaded already is refused. Returns how many activities were loaded."""
    path = Path(path)
    data, name = _read_toml(path), path.name
    agreement = Agreement.objects.filter(name=_need(data, "overeenkomst", name)).first()
    if agreement is None:
        raise SokError(
            _("%(file)s: de samenwerkingsovereenkomst '%(name)s' is niet geladen.")
            % {"file": name, "name": data["overeenkomst"]}
        )
    rows = []
    for y in data.get("jaar", []):
        year = _need(y, "jaar", name)
        where_year = _("%(file)s, jaar %(year)s") % {"file": name, "year": year}
        if not isinstance(year, int) or isinstance(year, bool):
            raise SokError(_("%(where)s: '%(year)s' is geen jaartal.") % {"where": where_year, "year": year})
        plan = _need(y, "jaarplan", where_year)
        if Activity.objects.filter(agreement=agreement, year=year).exists():
            raise SokError(
                _("De activiteiten van het jaarplan %(year)s zijn al geladen; er is niets gewijzigd.") % {"year": year}
            )
        for n, a in enumerate(y.get("activiteit", []), start=1):
            where = _("%(where)s, activiteit %(n)d") % {"where": where_year, "n": n}
            for key in ("nummer", "pagina"):
                value = _need(a, key, where)
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise SokError(
                        _("%(where)s: '%(key)s' = '%(value)s' is geen geheel getal vanaf 1.")
                        % {"where": where, "key": key, "value": value}
                    )
            rows.append(
                Activity(
                    agreement=agreement,
                    year=year,
                    plan=plan,
                    number=a["nummer"],
                    title=str(_need(a, "titel", where)),
                    description=str(_need(a, "omschrijving", where)),
                    page=a["pagina"],
                    source=y.get("bron", data.get("bron", "")),
                )
            )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            for row in rows:
                row.loaded_at, row.loaded_by = now, author
                row.save()
    except IntegrityError:
        raise SokError(_("%s: een activiteitnummer staat twee keer in hetzelfde jaar.") % name) from None
    return len(rows)


def jaarplan_for(year: int) -> Jaarplan:
    found = Jaarplan.objects.select_related("agreement").filter(year=year).order_by("-id").first()
    if found is None:
        raise SokError(_("Er is geen jaarplan %s geladen (bouwregie sok load-2024).") % year)
    return found


def _open_year(year: int) -> Jaarplan:
    """The year's jaarplan, refused (YearClosed) once its annual account is recorded: what every booking during
    the year checks first (art. 6.5)."""
    jaarplan = jaarplan_for(year)
    _open(jaarplan)
    return jaarplan


def _recorded(author: str, now: datetime | None) -> dict:
    """Who recorded an entry and when: the same two fields on every append-only row of the year."""
    return {"recorded_at": now or timezone.now(), "recorded_by": author}


def _line(jaarplan: Jaarplan, name: str) -> BudgetLine:
    line = jaarplan.lines.filter(name=name).first()
    if line is None:
        raise SokError(
            _("Begrotingspost '%(name)s' bestaat niet in het jaarplan %(year)s; wel: %(known)s.")
            % {"name": name, "year": jaarplan.year, "known": ", ".join(jaarplan.lines.values_list("name", flat=True))}
        )
    return line


def book_expenditure(
    year: int, line: str, amount_cents: int, spent_on: date, description: str, author: str, now: datetime | None = None
) -> Expenditure:
    jaarplan = _open_year(year)
    if amount_cents <= 0:
        raise SokError(_("Een uitgave is groter dan nul (%s).") % bedrag(amount_cents))
    if spent_on.year != year:
        raise SokError(_("De datum %(day)s valt niet in %(year)s.") % {"day": spent_on.isoformat(), "year": year})
    if not description.strip():
        raise SokError(_("Een uitgave heeft een omschrijving."))
    return Expenditure.objects.create(
        jaarplan=jaarplan,
        line=_line(jaarplan, line),
        amount_cents=amount_cents,
        spent_on=spent_on,
        description=description.strip(),
        **_recorded(author, now),
    )


def change_budget(
    year: int,
    deltas: dict[str, int],
    decided_on: date,
    decision: str,
    author: str,
    now: datetime | None = None,
    reason: str = "",
) -> list[BudgetChange]:
    """A Processtuurgroep decision moving money between lines (or to/from the unallocated part), all or nothing:
    the same rules for the API, the command line and the web form (art. 6.1, `rules.check_change`). `decision` is
    the decision's reference (meeting, number), `reason` why the money moves."""
    jaarplan = _open_year(year)
    if not decision.strip():
        raise SokError(_("Noem het besluit van de Processtuurgroep."))
    for label, text in ((_("Besluit"), decision), (_("Reden"), reason)):
        if len(text.strip()) > 300 or "\x00" in text:
            raise SokError(
                _("%(field)s: '%(value)s…' is te lang (ten hoogste 300 tekens) of bevat een nulteken.")
                % {"field": label, "value": text.strip()[:40]}
            )
    overview = year_overview(jaarplan)
    current = {row["name"]: row["budget_cents"] for row in overview["lines"]}
    spent = {row["name"]: row["spent_cents"] for row in overview["lines"]}
    today = timezone.localdate(now) if now else timezone.localdate()
    errors = rules.check_decision_date(year, decided_on, today)
    errors += rules.check_change(current, deltas, overview["budget"]["contributions_cents"], spent)
    if errors:
        raise SokError(" ".join(errors))
    with transaction.atomic():
        return [
            BudgetChange.objects.create(
                jaarplan=jaarplan,
                line=_line(jaarplan, name),
                delta_cents=delta,
                decided_on=decided_on,
                decision=decision.strip(),
                reason=reason.strip(),
                **_recorded(author, now),
            )
            for name, delta in deltas.items()
            if delta
        ]


def issue_invoices(
    year: int, issued_on: date, author: str, now: datetime | None = None, due_on: date | None = None
) -> list[Invoice]:
    """Art. 6.1: the penvoerder invoices each other party its contribution plus VAT (the rate in force on the
    invoice date). A party already invoiced for the year is left as it is; the numbers are SOK-<year>-<code>.
    `due_on`: the due date the penvoerder puts on the invoices, if any (the SOK sets no payment term; none is
    assumed), not before the invoice date."""
    if due_on is not None and due_on < issued_on:
        raise SokError(
            _("Vervaldatum %(due)s ligt vóór de factuurdatum %(day)s.")
            % {"due": due_on.isoformat(), "day": issued_on.isoformat()}
        )
    jaarplan = jaarplan_for(year)
    rate = vat_in_force(issued_on)
    percent = Decimal(str(rate.value("algemeen_tarief_procent")))
    made, existing = [], []
    with transaction.atomic():
        for c in jaarplan.contributions.select_related("party"):
            if c.party.province == jaarplan.agreement.penvoerder or c.amount_cents == 0:
                continue
            if Invoice.objects.filter(jaarplan=jaarplan, party=c.party).exists():
                existing.append(f"SOK-{year}-{c.party.province}")
                continue
            made.append(
                Invoice.objects.create(
                    jaarplan=jaarplan,
                    party=c.party,
                    number=f"SOK-{year}-{c.party.province}",
                    issued_on=issued_on,
                    due_on=due_on,
                    net_cents=c.amount_cents,
                    vat_percent=percent,
                    vat_cents=rules.vat(c.amount_cents, percent),
                    vat_version=f"{rate.name} {rate.version}",
                    **_recorded(author, now),
                )
            )
    if not made and existing:
        raise InvoicesExist(
            _("De facturen van %(year)s bestaan al: %(numbers)s; er is niets nieuws gefactureerd.")
            % {"year": year, "numbers": ", ".join(sorted(existing))}
        )
    return made


def overspend_warnings(expenditure: Expenditure) -> list[str]:
    """After a booking: is its line now overspent (spent more than its budget after the Processtuurgroep's
    changes)? The booking stands — the money was spent — but the penvoerder hears it at once, as the page's
    "Overschreden posten" says it later (issue #23; art. 6.1: the budget is the frame for spending)."""
    line = expenditure.line
    budget = line.amount_cents + sum(line.changes.values_list("delta_cents", flat=True))
    spent = sum(line.expenditures.values_list("amount_cents", flat=True))
    return rules.overspend_warnings(line.name, budget, spent)


def record_account(year: int, sent_on: date, author: str, note: str = "", now: datetime | None = None):
    """Art. 6.5: the annual account, once; it closes the year (no expenditure or budget change after it)."""
    jaarplan = jaarplan_for(year)
    with transaction.atomic():
        Jaarplan.objects.select_for_update().filter(pk=jaarplan.pk).first()  # one account, also when two race
        _open(jaarplan)
        errors = rules.check_account_date(year, sent_on, timezone.localdate(now) if now else timezone.localdate())
        if errors:
            raise SokError(" ".join(errors))
        return AnnualAccount.objects.create(jaarplan=jaarplan, sent_on=sent_on, note=note, **_recorded(author, now))


def year_overview(jaarplan: Jaarplan, today: date | None = None) -> dict:
    """Everything the Processtuurgroep's two meetings need for one year, as plain values."""
    today = today or timezone.localdate()
    agreement = jaarplan.agreement
    lines = []
    for line in jaarplan.lines.order_by("position"):
        changed = sum(line.changes.values_list("delta_cents", flat=True))
        spent = sum(line.expenditures.values_list("amount_cents", flat=True))
        lines.append(
            {
                "name": line.name,
                "loaded_cents": line.amount_cents,
                "changes_cents": changed,
                "budget_cents": line.amount_cents + changed,
                "spent_cents": spent,
                "left_cents": line.amount_cents + changed - spent,
                "source": line.source,
            }
        )
    contributions = list(jaarplan.contributions.select_related("party").order_by("party__name"))
    total = sum(c.amount_cents for c in contributions)
    budget = rules.budget_overview(
        [rules.LineState(r["name"], r["budget_cents"], r["spent_cents"]) for r in lines],
        total,
        jaarplan.stated_total_cents,
    )
    shares = rules.refund(budget["remainder_cents"], {c.party.province: c.amount_cents for c in contributions})
    invoices = {i.party_id: i for i in jaarplan.invoice_set.all()}
    account = jaarplan.annualaccount_set.order_by("sent_on").first()
    party_rows = []
    for c in contributions:
        invoice = invoices.get(c.party_id)
        party_rows.append(
            {
                "province": c.party.province,
                "name": c.party.name,
                "fte": c.party.fte,
                "penvoerder": c.party.province == agreement.penvoerder,
                "amount_cents": c.amount_cents,
                "in_kind_cents": c.in_kind_cents,
                "in_kind": c.in_kind,
                "source": c.source,
                "invoice": None
                if invoice is None
                else {
                    "number": invoice.number,
                    "issued_on": invoice.issued_on,
                    "due_on": invoice.due_on,
                    "net_cents": invoice.net_cents,
                    "vat_percent": invoice.vat_percent,
                    "vat_cents": invoice.vat_cents,
                    "total_cents": invoice.net_cents + invoice.vat_cents,
                    "vat_version": invoice.vat_version,
                },
                "refund_cents": shares[c.party.province],
            }
        )
    due = rules.account_due(jaarplan.year)
    parties = list(agreement.parties.all())
    activities = list(Activity.objects.filter(agreement=agreement, year__lte=jaarplan.year))
    loaded_years = set(Jaarplan.objects.filter(agreement=agreement).values_list("year", flat=True))
    earlier = {}  # years before this one that have a jaarplan in the seed but no administration here (2023)
    for a in activities:
        if a.year < jaarplan.year and a.year not in loaded_years:
            earlier.setdefault(a.year, {"year": a.year, "plan": a.plan, "activities": []})["activities"].append(
                _activity(a)
            )
    return {
        "agreement": {
            "name": agreement.name,
            "source": agreement.source,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "extension_years": agreement.extension_years,
            "talks_by": rules.talks_by(agreement.ends_on, agreement.extension_talks_months),
            "notice_months": agreement.notice_months,
            "penvoerder": agreement.penvoerder,
            "penvoerder_name": next((p.name for p in parties if p.province == agreement.penvoerder), ""),
        },
        "year": jaarplan.year,
        "adopted_on": jaarplan.adopted_on,
        "source": jaarplan.source,
        "lines": lines,
        "parties": party_rows,
        "budget": budget,
        "warnings": rules.budget_warnings(budget),
        "activities": [_activity(a) for a in activities if a.year == jaarplan.year],
        "earlier_activities": [earlier[y] for y in sorted(earlier)],
        "in_kind_cents": sum(c.in_kind_cents for c in contributions),
        "fte": sum((c.party.fte for c in contributions), Decimal(0)),
        "changes": [
            {
                "line": ch.line.name,
                "delta_cents": ch.delta_cents,
                "decided_on": ch.decided_on,
                "decision": ch.decision,
                "reason": ch.reason,
                "recorded_by": ch.recorded_by,
                "recorded_at": ch.recorded_at,
            }
            for ch in jaarplan.budgetchange_set.select_related("line")
        ],
        "expenditures": [
            {
                "line": e.line.name,
                "spent_on": e.spent_on,
                "amount_cents": e.amount_cents,
                "description": e.description,
                "recorded_by": e.recorded_by,
            }
            for e in jaarplan.expenditure_set.select_related("line")
        ],
        "account": {
            "due": due,
            "sent_on": account.sent_on if account else None,
            "overdue": rules.account_overdue(jaarplan.year, account.sent_on if account else None, today),
        },
    }


def _activity(a: Activity) -> dict:
    return {
        "number": a.number,
        "title": a.title,
        "description": a.description,
        "page": a.page,
        "plan": a.plan,
        "source": f"{a.source}, p. {a.page}",
    }


def begroting_rows(o: dict) -> list[list]:
    """The jaarplan/begroting meeting (seed 001, art. 4: the Processtuurgroep adopts the jaarplan and the budget) as
    one sheet of sections, each with its own header after an empty row: the budget against the contributions, the
    jaarplan's activities, the invoices (net, VAT, gross; sent and due dates) and the decisions. Amounts are exact
    decimals in euros, dates are dates: values only, no formulas (every cell passes `bouwregie.cells`)."""
    rows = [[_("Onderdeel"), _("Naam"), _("Bedrag (euro)"), _("Bron")]]
    rows += _penvoerder_rows(o)
    rows += [[_("Begrotingspost"), r["name"], _eur(r["budget_cents"]), r["source"]] for r in o["lines"]]
    rows.append([_("Totaal begrotingsposten"), "", _eur(o["budget"]["allocated_cents"]), ""])
    rows += [[_("Bijdrage"), p["name"], _eur(p["amount_cents"]), p["source"]] for p in o["parties"]]
    rows.append([_("Totaal bijdragen"), "", _eur(o["budget"]["contributions_cents"]), ""])
    rows.append(
        [
            _("Niet toegewezen aan een post"),
            "",
            _eur(o["budget"]["unallocated_cents"]),
            _("bijdragen min begrotingsposten"),
        ]
    )
    rows += [[_("Waarschuwing"), w, None, ""] for w in o["warnings"]]
    rows += [
        [_("In natura (verrekend)"), p["name"] + ": " + p["in_kind"], _eur(p["in_kind_cents"]), p["source"]]
        for p in o["parties"]
        if p["in_kind_cents"]
    ]
    rows += [[]]
    rows.append([_("Activiteiten jaarplan %s") % o["year"]])
    rows.append([_("Nummer"), _("Activiteit"), _("Wat het jaarplan erover zegt"), _("Bron")])
    rows += [[a["number"], a["title"], a["description"], a["source"]] for a in o["activities"]]
    return rows + _invoice_rows(o) + _decision_rows(o)


def jaarafsluiting_rows(o: dict) -> list[list]:
    """The jaarafsluiting meeting (art. 4, 6.5, 6.6): spent per line, the remainder and its refund pro rata, the
    account's due and sent dates, then the invoices and the decisions as in `begroting_rows`."""
    rows = [[_("Onderdeel"), _("Naam"), _("Begroot (euro)"), _("Besteed (euro)"), _("Over (euro)")]]
    rows += [[*r[:2], None, None, None] for r in _penvoerder_rows(o)]
    rows += [
        [_("Begrotingspost"), r["name"], _eur(r["budget_cents"]), _eur(r["spent_cents"]), _eur(r["left_cents"])]
        for r in o["lines"]
    ]
    b = o["budget"]
    rows.append([_("Totaal"), "", _eur(b["allocated_cents"]), _eur(b["spent_cents"]), None])
    rows.append(
        [
            _("Restant bijdragen (art. 6.6)"),
            "",
            _eur(b["contributions_cents"]),
            _eur(b["spent_cents"]),
            _eur(b["remainder_cents"]),
        ]
    )
    rows += [
        [_("Terugbetaling naar rato"), p["name"], _eur(p["amount_cents"]), None, _eur(p["refund_cents"])]
        for p in o["parties"]
    ]
    rows.append([_("Verantwoording uiterlijk (art. 6.5)"), o["account"]["due"], None, None, None])
    rows.append([_("Verantwoording verzonden op"), o["account"]["sent_on"], None, None, None])
    return rows + _invoice_rows(o) + _decision_rows(o)


def _penvoerder_rows(o: dict) -> list[list]:
    """Who keeps the administration (seed 001, overweging J; art. 5)."""
    a = o["agreement"]
    return [[_("Penvoerder"), a["penvoerder_name"] or a["penvoerder"], None, _("overweging J, art. 5")]]


def _invoice_rows(o: dict) -> list[list]:
    """Art. 6.1: each invoice of the penvoerder, its amounts split net / VAT / gross, sent and due dates."""
    invoices = [(p, p["invoice"]) for p in o["parties"] if p["invoice"]]
    rows = [[], [_("Facturen van de penvoerder (art. 6.1)")]]
    rows.append(
        [
            _("Factuur"),
            _("Partij"),
            _("Factuurdatum (verzonden)"),
            _("Vervaldatum"),
            _("Excl. btw (euro)"),
            _("Btw-tarief (%)"),
            _("Btw (euro)"),
            _("Incl. btw (euro)"),
            _("Btw-regeling"),
        ]
    )
    rows += [
        [
            i["number"],
            p["name"],
            i["issued_on"],
            i["due_on"],
            _eur(i["net_cents"]),
            i["vat_percent"],
            _eur(i["vat_cents"]),
            _eur(i["total_cents"]),
            i["vat_version"],
        ]
        for p, i in invoices
    ]
    if invoices:
        rows.append(
            [
                _("Totaal"),
                "",
                None,
                None,
                _eur(sum(i["net_cents"] for _p, i in invoices)),
                None,
                _eur(sum(i["vat_cents"] for _p, i in invoices)),
                _eur(sum(i["total_cents"] for _p, i in invoices)),
                "",
            ]
        )
    return rows


def _decision_rows(o: dict) -> list[list]:
    """The Processtuurgroep's decisions changing the budget (art. 6.1), one row per line moved."""
    rows = [[], [_("Besluiten van de Processtuurgroep: begrotingswijzigingen (art. 6.1)")]]
    rows.append([_("Besluitdatum"), _("Besluit"), _("Post"), _("Wijziging (euro)"), _("Reden"), _("Vastgelegd door")])
    rows += [
        [c["decided_on"], c["decision"], c["line"], _eur(c["delta_cents"]), c["reason"], c["recorded_by"]]
        for c in o["changes"]
    ]
    return rows


def _eur(cents: int) -> Decimal:
    """Cents as an exact Decimal amount in euros for a spreadsheet cell (never a float)."""
    return Decimal(int(cents)) / 100
