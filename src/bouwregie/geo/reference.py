"""Load the reference data shipped in `geo/data` (see data/SOURCE.md) into the database.

Idempotent: running it again changes nothing, so `bouwregie init` can always be run safely.
"""

import csv
import json
from functools import cache
from pathlib import Path

from django.db import transaction

from bouwregie.geo.topojson import features

DATA_DIR = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_provinces() -> list[dict]:
    return _rows("provincies.csv")


def read_municipalities() -> list[dict]:
    return _rows("gemeenten_2025.csv")


def read_mergers() -> list[dict]:
    return _rows("herindelingen.csv")


@cache
def read_variants() -> tuple[tuple[str, str], ...]:
    return tuple((row["variant"], row["gemeentecode"]) for row in _rows("naamvarianten.csv"))


@cache
def read_former_provinces() -> tuple[tuple[str, str], ...]:
    """(former code, province code) of each former municipality in herindelingen.csv: a list from before a
    reorganisation names the province the municipality lay in then (Vianen, Leerdam: Zuid-Holland)."""
    return tuple(sorted({(r["voormalige_code"], r["voormalige_provinciecode"]) for r in read_mergers()}))


@cache
def read_split_places() -> tuple[tuple[str, str, str], ...]:
    """(former code, place name, successor code) for each woonplaats of a municipality that was split, with
    each of its other spellings (Dutch/Frisian) as a row of its own (data/woonplaatsen_splitsingen.csv)."""
    result = []
    for row in _rows("woonplaatsen_splitsingen.csv"):
        for name in [row["woonplaats"], *filter(None, row["andere_namen"].split("|"))]:
            result.append((row["voormalige_code"], name, row["opvolger_code"]))
    return tuple(result)


@cache
def read_province_spellings() -> tuple[tuple[str, str], ...]:
    """(province code, spelling): names and variants from provincies.csv plus the abbreviations of
    provincie_afkortingen.csv (CBS name suffixes such as 'NH.', 'L.', 'O.'; ISO 3166-2:NL codes)."""
    result = []
    for row in read_provinces():
        for name in [row["provincienaam"], *filter(None, row["varianten"].split("|"))]:
            result.append((row["provinciecode"], name))
    result += [(row["provinciecode"], row["afkorting"]) for row in _rows("provincie_afkortingen.csv")]
    return tuple(result)


def read_historical_municipalities() -> list[dict]:
    """Every municipality since 1970 with province and begin/end dates (CBS; see data/SOURCE.md)."""
    with open(DATA_DIR / "gemeentelijke_indeling.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter=";"))


def read_provincial_agreements() -> list[dict]:
    """Bruto new-build agreements 2022 t/m 2030 per province (IPO/BZK, 13 Oct 2022)."""
    return [
        {"province": r["provincie"], "homes": int(r["bruto_woningen_2022_2030"]), "source": r["bron"]}
        for r in _rows("provinciale_afspraken_2022.csv")
    ]


@cache
def municipality_geometries() -> dict[str, dict]:
    """GeoJSON geometry per municipality code; invalid generalised shapes repaired with make_valid."""
    import shapely  # here, not at the top: the reference lists are read on every start, the shapes rarely (#21)
    from shapely.geometry import mapping, shape

    with open(DATA_DIR / "gemeenten_2025.topojson", encoding="utf-8") as f:
        topology = json.load(f)
    result = {}
    for feature in features(topology, "gemeenten_2025"):
        geometry = shape(feature["geometry"])
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
            geometry = shapely.union_all([g for g in getattr(geometry, "geoms", [geometry]) if g.area > 0])
        result[feature["id"]] = mapping(geometry)
    return result


def _bbox(geometry) -> list[float]:
    return [round(v, 6) for v in geometry.bounds]


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    import shapely
    from shapely.geometry import mapping, shape

    from bouwregie.geo.models import Municipality, MunicipalityMerger, Province

    geometries = municipality_geometries()
    provinces = {row["provinciecode"]: row["provincienaam"] for row in read_provinces()}
    by_province: dict[str, list] = {code: [] for code in provinces}
    for row in read_municipalities():
        by_province[row["provinciecode"]].append(shape(geometries[row["gemeentecode"]]))
    for code, name in provinces.items():
        union = shapely.union_all(by_province[code])
        Province.objects.update_or_create(
            code=code, defaults={"name": name, "geometry": mapping(union), "bbox": _bbox(union)}
        )
    for row in read_municipalities():
        geometry = geometries[row["gemeentecode"]]
        Municipality.objects.update_or_create(
            code=row["gemeentecode"],
            defaults={
                "name": row["gemeentenaam"],
                "province_id": row["provinciecode"],
                "geometry": geometry,
                "bbox": _bbox(shape(geometry)),
            },
        )
    for row in read_mergers():
        MunicipalityMerger.objects.update_or_create(
            former_code=row["voormalige_code"],
            successor_id=row["opvolger_code"],
            defaults={
                "former_name": row["voormalige_naam"],
                "date": row["datum"],
                "note": row["toelichting"],
            },
        )
    return {
        "provincies": Province.objects.count(),
        "gemeenten": Municipality.objects.count(),
        "herindelingen": MunicipalityMerger.objects.count(),
    }
