"""Put the generated pipeline in the database, with the organisations, tables and login a demo needs.

Generated and written a chunk of projects at a time (demo.generator.generate_in_chunks, services.
write_history_in_chunks), in one transaction: memory stays flat whatever the number of projects (issue #21: 4.8 GB
at 250,000), and a load that fails leaves nothing behind: the database is as empty as before, and the message
says so."""

import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery

from bouwregie.accounts.models import Membership, Organisation, ProjectParty
from bouwregie.convenant.demo import create_demo_seed_data
from bouwregie.demo.generator import CHUNK, DEFAULTS, generate_in_chunks
from bouwregie.demo.parameters import DemoParameters
from bouwregie.geo.models import Municipality, Province, Region
from bouwregie.projects.models import Project
from bouwregie.projects.services import write_history_in_chunks
from bouwregie.woondeals.demo import create_demo_woondeals

DEMO_USER = "demo"
DEMO_PASSWORD = "bouwregie-demo"


class DatabaseNotEmpty(RuntimeError):
    pass


def load_demo(params: DemoParameters = DEFAULTS, progress=print) -> dict:
    if Project.objects.exists():
        raise DatabaseNotEmpty(
            "De database bevat al projecten; demodata wordt alleen in een lege database geladen. "
            "Gebruik een nieuwe database (bijv. verwijder var/bouwregie.sqlite3 en draai 'bouwregie init')."
        )
    started = time.perf_counter()
    peilingen, chunks = generate_in_chunks(params)

    def written(counts):
        progress(f"{counts['projecten']} van {params.projects} projecten gegenereerd en geschreven "
                 f"({time.perf_counter() - started:.1f} s)")  # fmt: skip

    try:
        with transaction.atomic():
            counts = write_history_in_chunks(chunks, peilingen, author="demo", progress=written)
            _organisations_and_tables()
            create_demo_woondeals()
            counts.update(create_demo_seed_data())
    except Exception:
        progress("Het laden van de demo is mislukt; er is niets opgeslagen (de database is leeg gebleven).")
        raise
    progress(
        f"Geladen in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{n} {what}" for what, n in counts.items())
    )
    return counts


def _organisations_and_tables():
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True})
    user.set_password(DEMO_PASSWORD)
    user.save()
    rijk, _ = Organisation.objects.get_or_create(name="Ministerie van VRO", defaults={"kind": Organisation.Kind.RIJK})
    Membership.objects.get_or_create(user=user, organisation=rijk, defaults={"role": Membership.Role.BEHEERDER})
    for province in Province.objects.all():
        Organisation.objects.get_or_create(
            name=f"Provincie {province.name}",
            defaults={"kind": Organisation.Kind.PROVINCIE, "province": province},
        )
        table, _ = Region.objects.get_or_create(
            code=f"versnellingstafel-{province.code.lower()}",
            defaults={
                "name": f"Provinciale versnellingstafel {province.name}",
                "kind": Region.Kind.VERSNELLINGSTAFEL,
                "province": province,
            },
        )
        table.municipalities.set(Municipality.objects.filter(province=province))
    for name, kind in (
        ("Woningcorporatie Demo Wonen", Organisation.Kind.CORPORATIE),
        ("Ontwikkelaar Demo Gebiedsontwikkeling", Organisation.Kind.ONTWIKKELAAR),
        ("Belegger Demo Vastgoedfonds", Organisation.Kind.BELEGGER),
        ("Bouwbedrijf Demo", Organisation.Kind.BOUWER),
    ):
        Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    _market_parties()


MARKET_USER = "marktpartij"


def _market_parties():
    """Each demo project gets one of the four demo market parties (by project id, so it is reproducible),
    and user 'marktpartij' edits for the developer: it can update private milestones of its projects."""
    market = list(Organisation.objects.filter(name__contains=" Demo").order_by("name"))
    ids = list(Project.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):  # bulk_create holds its objects: a chunk of them at a time
        ProjectParty.objects.bulk_create(
            [ProjectParty(project_id=pid, organisation=market[pid % len(market)], role=market[pid % len(market)].kind)
             for pid in ids[start : start + CHUNK]],
            batch_size=5000, ignore_conflicts=True,
        )  # fmt: skip
    # A party is at the table from the project's start (added_at is "now" on insert): so the demo's closed
    # peilingen count their parties, e.g. the corporations' homes of a woondeal (monitor.woondeal_progress).
    ProjectParty.objects.update(
        added_at=Subquery(Project.objects.filter(pk=OuterRef("project_id")).values("created_at")[:1])
    )
    user, _ = get_user_model().objects.get_or_create(username=MARKET_USER)
    user.set_password(DEMO_PASSWORD)
    user.save()
    developer = next(o for o in market if o.kind == Organisation.Kind.ONTWIKKELAAR)
    Membership.objects.get_or_create(user=user, organisation=developer, defaults={"role": Membership.Role.BEWERKER})
