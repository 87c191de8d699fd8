"""The one permission policy: who may see and do what. The web pages, the REST API and the exports all
ask here, so a rule changes in one place (DESIGN.md: only `accounts` decides permissions).

Roles (issue #5): platform beheerder; Rijk (read all); provincie (manage peilingen and tables in its
province, edit its projects); gemeente (edit projects in its municipality); corporatie / marktpartij
(read the table's overview, edit the private milestones of projects it is a party to); public
(anonymous: aggregated open data only). Open-book figures only for the parties at the project's table
(Woontop 2024, Afspraak 3B: "open boekenprincipe" among the table's parties).
"""

from dataclasses import dataclass, field

from bouwregie.accounts.models import Membership, Organisation, ProjectParty
from bouwregie.geo.models import Municipality

MARKET_KINDS = frozenset({Organisation.Kind.CORPORATIE, Organisation.Kind.ONTWIKKELAAR, Organisation.Kind.BELEGGER,
                          Organisation.Kind.BOUWER})  # fmt: skip
EDITING_ROLES = frozenset({Membership.Role.BEWERKER, Membership.Role.TAFELBEHEERDER, Membership.Role.BEHEERDER})


@dataclass(frozen=True)
class Seat:
    """One organisation a user speaks for, and in which role."""

    kind: str
    role: str
    province: str | None = None
    municipality: str | None = None
    organisation: int | None = None


@dataclass(frozen=True)
class Principal:
    """Who is asking: anonymous (no seats), or a user with a seat per organisation."""

    username: str | None = None
    superuser: bool = False
    seats: tuple[Seat, ...] = field(default_factory=tuple)

    @property
    def anonymous(self) -> bool:
        return self.username is None


ANONYMOUS = Principal()


def principal_for(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if isinstance(getattr(user, "principal", None), Principal):  # read with the API key (accounts.tokens)
        return user.principal
    seats = tuple(
        Seat(*row)
        for row in Membership.objects.filter(user=user).values_list(
            "organisation__kind",
            "role",
            "organisation__province_id",
            "organisation__municipality_id",
            "organisation_id",
        )
    )
    return Principal(user.get_username(), user.is_superuser, seats)


def is_beheerder(p: Principal) -> bool:
    return p.superuser or any(s.role == Membership.Role.BEHEERDER for s in p.seats)


def can_read_aggregates(p: Principal) -> bool:
    """Monitor figures per area are open data: everyone, anonymous included."""
    return True


def can_read_projects(p: Principal) -> bool:
    """Project lists and project pages: any signed-in user with a seat (market parties read the overview)."""
    return is_beheerder(p) or bool(p.seats)


def can_edit_project(p: Principal, municipality: str, province: str) -> bool:
    return is_beheerder(p) or any(
        s.role in EDITING_ROLES
        and ((s.kind == Organisation.Kind.GEMEENTE and s.municipality == municipality)
             or (s.kind == Organisation.Kind.PROVINCIE and s.province == province))
        for s in p.seats
    )  # fmt: skip


def can_manage_peilingen(p: Principal, province: str | None = None) -> bool:
    """Closing a peiling: the platform beheerder, or a province's tafelbeheerder (for its province)."""
    return is_beheerder(p) or any(
        s.kind == Organisation.Kind.PROVINCIE and s.role == Membership.Role.TAFELBEHEERDER
        and (province is None or s.province == province)
        for s in p.seats
    )  # fmt: skip


def can_read_open_book(p: Principal, municipality: str, province: str, parties: frozenset = frozenset()) -> bool:
    """Confidential open-book figures: the parties at the project's table — its gemeente and provincie,
    the market parties recorded for the project (`parties`: organisation ids) — and the beheerder."""
    return is_beheerder(p) or any(
        (s.kind == Organisation.Kind.GEMEENTE and s.municipality == municipality)
        or (s.kind == Organisation.Kind.PROVINCIE and s.province == province)
        or (s.organisation is not None and s.organisation in parties)
        for s in p.seats
    )


def can_read_tafel_report(p: Principal, municipalities: frozenset, provinces: frozenset) -> bool:
    """The quarterly report's version for the parties at an area's table, with its open-book section (issue #20;
    Woontop 2024, Afspraak 3B: "open boekenprincipe" among the table's parties): a gemeente of the area, a provincie
    the area lies in, and the beheerder. A market party sees the open book of its own projects only
    (can_read_open_book), never a whole table's; the Rijk reads everything except open books, as on the project
    page. The national report (no municipalities or provinces given) is the beheerder's alone."""
    return is_beheerder(p) or any(
        (s.kind == Organisation.Kind.GEMEENTE and s.municipality in municipalities)
        or (s.kind == Organisation.Kind.PROVINCIE and s.province in provinces)
        for s in p.seats
    )


def can_read_report(p: Principal) -> bool:
    """The public version of the quarterly report (issue #20): everyone signed in. Its lists name projects, so not
    anonymous visitors, who see the aggregated pages (can_read_aggregates)."""
    return not p.anonymous


EDIT_ALL, EDIT_PRIVATE_MILESTONES = "alles", "private_mijlpalen"


def edit_scope(p: Principal, municipality: str, province: str, parties: frozenset = frozenset()) -> str | None:
    """What a user may change in one project: everything (its gemeente, provincie, the beheerder), only
    the private milestones (a market party at the project with an editing role), or nothing (None).
    Whether a change stays within the private milestones is rules.only_private_milestones_changed."""
    if can_edit_project(p, municipality, province):
        return EDIT_ALL
    if any(s.organisation in parties and s.role in EDITING_ROLES for s in p.seats if s.organisation is not None):
        return EDIT_PRIVATE_MILESTONES
    return None


def can_import(p: Principal) -> bool:
    """Uploading a plan list: whoever may edit projects somewhere (a gemeente or provincie with an editing
    role, the beheerder). Which rows they may write is can_edit_project, checked row by row."""
    return is_beheerder(p) or any(
        s.role in EDITING_ROLES and s.kind in (Organisation.Kind.GEMEENTE, Organisation.Kind.PROVINCIE) for s in p.seats
    )


def can_close_peiling(p: Principal) -> bool:
    """Closing a peiling freezes the quarter for every table in the country at once (a peiling is
    national: DOMAIN.md, the PPM is updated each quarter), so it is the platform beheerder's act, not one
    province's; provinces manage their tables and projects (can_edit_project)."""
    return is_beheerder(p)


def own_project_organisations(p: Principal) -> frozenset:
    """The market parties (organisation ids) a user speaks for: "mijn projecten" in the project list are the
    projects where one of them is recorded as a party (issue #19). Empty for every other role."""
    return frozenset(s.organisation for s in p.seats if s.kind in MARKET_KINDS and s.organisation is not None)


def parties_of(project_id: int) -> frozenset:
    """The organisations (ids) recorded as market parties of a project."""
    return frozenset(ProjectParty.objects.filter(project_id=project_id).values_list("organisation_id", flat=True))


def can_run_forecast(p: Principal) -> bool:
    """Forecasts (running one, reading one): whoever reads projects — a forecast names the projects that
    carry its uncertainty, and a run costs the server seconds of work, so not anonymous."""
    return can_read_projects(p)


def can_submit_wbi(p: Principal, municipality: str) -> bool:
    """A Woningbouwimpuls application comes from the municipality (its editors) or the beheerder."""
    return is_beheerder(p) or any(
        s.role in EDITING_ROLES and s.kind == Organisation.Kind.GEMEENTE and s.municipality == municipality
        for s in p.seats
    )


def can_submit_any_wbi(p: Principal) -> bool:
    """Whether the Woningbouwimpuls application page is open to this user: the beheerder, or an editor of at
    least one municipality (issue #19: nobody else sees a link that answers 403)."""
    return is_beheerder(p) or any(s.municipality and can_submit_wbi(p, s.municipality) for s in p.seats)


def can_assess_wbi(p: Principal) -> bool:
    """Ranking the applications of a window (with their open-book deficits) is the Rijk's assessment."""
    return is_beheerder(p) or any(s.kind == Organisation.Kind.RIJK for s in p.seats)


def can_read_wbi_application(p: Principal, municipality: str) -> bool:
    """A Woningbouwimpuls application carries the municipality's open books (investeringen, kostenverhaal,
    cofinanciering, gevraagd): only who assesses it (the Rijk, the beheerder) and who submits it (the
    municipality's editors) read it — the web pages and the REST API alike (issue #16: the API listed a
    municipality's applications to its readers and to a corporation with a seat there)."""
    return can_assess_wbi(p) or can_submit_wbi(p, municipality)


def wbi_readable_municipalities(p: Principal) -> frozenset | None:
    """The municipalities whose Woningbouwimpuls applications this user reads; None: all of them."""
    if can_assess_wbi(p):
        return None
    return frozenset(s.municipality for s in p.seats if s.municipality and can_read_wbi_application(p, s.municipality))


def can_submit_gebiedsbudget(p: Principal, municipalities: list[str]) -> bool:
    """A gebiedsbudget package comes from the region: editors of the province all the area's municipalities lie in
    (Afspraak 19.3: the region matches the Rijk's money), or the beheerder."""
    if is_beheerder(p):
        return True
    provinces = set(Municipality.objects.filter(code__in=municipalities).values_list("province_id", flat=True))
    return len(provinces) == 1 and any(
        s.role in EDITING_ROLES and s.kind == Organisation.Kind.PROVINCIE and s.province in provinces for s in p.seats
    )


def can_follow_job(p: Principal, started_by: str | None) -> bool:
    """A background job (an upload's check, an import) is followed by whoever started it, and the beheerder."""
    return is_beheerder(p) or (p.username is not None and p.username == started_by)


def can_edit_woondeal(p: Principal, provinces) -> bool:
    """A woondeal is kept by its province (issue #17; seed 003: provinces keep the deals current): an editor of a
    province the deal lies in — of every province, for a deal across a border — or the beheerder. An empty
    `provinces` (a deal not yet placed) only the beheerder."""
    if is_beheerder(p):
        return True
    provinces = set(provinces)
    mine = {s.province for s in p.seats if s.kind == Organisation.Kind.PROVINCIE and s.role in EDITING_ROLES}
    return bool(provinces) and provinces <= mine


def can_edit_convenant_register(p: Principal) -> bool:
    """The convenant's partners' register is kept by the platform (the beheerder); reading it is open data
    (seed 001, SOK art. 8.1: the convenant's data "zijn voor iedereen vrijelijk toegankelijk")."""
    return is_beheerder(p)


def can_read_sok(p: Principal, party_provinces) -> bool:
    """The SOK administration (seed 001) is the business of its parties: a seat at one of the party provinces
    (any role), and the beheerder."""
    return is_beheerder(p) or any(s.kind == Organisation.Kind.PROVINCIE and s.province in party_provinces
                                  for s in p.seats)  # fmt: skip


def can_edit_sok(p: Principal, penvoerder_province: str) -> bool:
    """The penvoerder keeps the administration (seed 001, art. 1 "Penvoerder ... voert de administratie"; art. 6):
    an editor of the penvoerder's province, or the beheerder."""
    return is_beheerder(p) or any(
        s.kind == Organisation.Kind.PROVINCIE and s.province == penvoerder_province and s.role in EDITING_ROLES
        for s in p.seats
    )


def can_edit_woontop(p: Principal) -> bool:
    """The Woontop agreements and their milestone statuses are kept by the Rijk (the landelijke versnellingstafel,
    seed 004): a Rijk seat with an editing role (bewerker, tafelbeheerder; a Rijk lezer only reads, issue #23),
    and the beheerder. Reading the national table is open."""
    return is_beheerder(p) or any(s.kind == Organisation.Kind.RIJK and s.role in EDITING_ROLES for s in p.seats)
