"""Generate a national set of twelve provincial plan lists in the IPO layout (issue #15, `make bench`).

One list per province, as provinces deliver them: mostly zipped Shapefiles (field names within the format's
10 characters), two GeoPackages, one Excel sheet and one `;`-separated CSV. Sizes are proportional to the
number of municipalities of a province (gemeenten_2025.csv), ~45,000 plans in all. Deterministic (seeded).

The columns and their mess follow the provincial IPO layout as described with case 09 in
../shared/cases/ingest/README.md: `Sloop` written negative, status spellings of the real lists with the
numeric `PSlegenda` 1–5 beside them, names of former municipalities (herindelingen.csv; only those with a
single successor, so every row is resolvable without a place name), plain names where CBS adds a suffix
(`Bergen` + the `Provincie` column), type/tenure breakdowns and phasing that do not add up in a few percent
of rows, `ET_ID` all 0, `datum` as `20-5-2020` or a bare year.

Usage: python bench/ipo_lists.py OUTDIR  (writes the twelve files and prints them)
"""

import csv
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

COLUMNS = ["OBJECTID", "ET_ID", "Provincie", "Gem_naam", "Plannaam", "Plantype", "Planstatus", "Aantalrest",
           "Sloop", "OP2019", "OP202024", "Op202529", "Op20302050", "OPLONB", "WTYPGGB", "WTYPAPP", "WTYPONB",
           "HUUR", "KOOP", "HRKPONB", "datum", "schatting", "PSlegenda"]  # fmt: skip
# Spellings as they occur in real IPO lists (case 09 and the held-back list the issue describes), with their
# PSlegenda: 1 onherroepelijk, 2 vastgesteld, 3 in voorbereiding, 4 visie/optie, 5 onbekend.
STATUSES = [
    ("1A Onherroepelijk", 1), ("1B onhr + uitwerkingsplicht", 1), ("1C onhr + wijzigingsbevoegdheid", 1),
    ("2A vastgesteld", 2), ("2B vastgesteld + uitwerkingsplicht", 2), ("2C vastgesteld + Wijzigingebevoegdheid", 2),
    ("3 plan/besluit in voorbereiding", 3), ("3 in voorbereiding", 3), ("4A potentiele locatie in visie", 4),
    ("4B potentiele locatie optie", 4), ("4B Optie", 4), ("Onbekend", 5),
]  # fmt: skip
STATUS_WEIGHTS = [0.20, 0.05, 0.03, 0.08, 0.03, 0.03, 0.14, 0.06, 0.16, 0.10, 0.05, 0.07]
PLAN_TYPES = ["Uitbreiding uitleg", "Uitbreiding overig", "Verdichting", "Herstructurering", "Transformatie",
              "Transformatiegebied", "Inbreiding", "Onbekend"]  # fmt: skip
# How each province delivers (a choice for the benchmark: every format the issue names occurs).
FORMATS = {"PV22": "xlsx", "PV29": "csv", "PV25": "gpkg", "PV30": "gpkg"}  # the others: zipped Shapefile
PLAIN_NAMES = {" (NH.)": "", " (L.)": "", " (O.)": ""}  # provinces write "Bergen", CBS "Bergen (NH.)"


def province_sizes(provinces: list[str], municipalities: list[dict], total: int) -> dict[str, int]:
    """Plans per province proportional to its municipalities; largest remainder, so they sum to `total`."""
    counts = np.array([sum(m["provinciecode"] == p for m in municipalities) for p in provinces], dtype=float)
    exact = counts / counts.sum() * total
    sizes = np.floor(exact).astype(int)
    for i in np.argsort(exact - sizes)[::-1][: total - sizes.sum()]:
        sizes[i] += 1
    return dict(zip(provinces, sizes.tolist(), strict=True))


def _rows(rng, code: str, province_name: str, plans: int, municipalities: list[dict], former: list[str]):
    """The attribute columns of one province's list (name → numpy array) and each row's municipality code."""
    mine = [m for m in municipalities if m["provinciecode"] == code]
    weights = rng.lognormal(0, 0.8, len(mine))
    index = rng.choice(len(mine), plans, p=weights / weights.sum())
    codes = np.array([m["gemeentecode"] for m in mine])[index]
    names = np.array([_plain(m["gemeentenaam"]) for m in mine], dtype=object)[index]
    if former:  # ~3% of rows still carry the name of a municipality merged away since 2018
        by_former = np.flatnonzero(rng.random(plans) < 0.03)
        names[by_former] = np.array(former, dtype=object)[rng.integers(0, len(former), len(by_former))]
    status = rng.choice(len(STATUSES), plans, p=np.array(STATUS_WEIGHTS) / sum(STATUS_WEIGHTS))
    homes = np.clip(np.rint(rng.lognormal(3.6, 1.5, plans)), 1, 5000).astype(np.int64)
    plan_type = np.array(PLAN_TYPES, dtype=object)[rng.integers(0, len(PLAN_TYPES), plans)]
    demolition_only = rng.random(plans) < 0.005  # a plan that only demolishes: 0 homes, plan type "Sloop"
    homes[demolition_only] = 0
    plan_type[demolition_only] = "Sloop"
    demolition = np.where(rng.random(plans) < 0.15, -np.rint(homes * rng.uniform(0.05, 0.6, plans)), 0)
    demolition[demolition_only] = -rng.integers(4, 60, demolition_only.sum())
    periods = _split(rng, homes, [0.02, 0.35, 0.35, 0.18, 0.10])
    types = _split(rng, homes, [0.45, 0.40, 0.15])
    tenure = _split(rng, homes, [0.35, 0.45, 0.20])
    for parts, share in ((types, 0.025), (tenure, 0.025), (periods, 0.01)):  # lists that contradict themselves
        wrong = np.flatnonzero((rng.random(plans) < share) & (homes > 0))
        parts[wrong, rng.integers(0, parts.shape[1], len(wrong))] += rng.integers(1, 40, len(wrong))
    day, month = rng.integers(1, 29, plans), rng.integers(1, 13, plans)
    year = rng.integers(2019, 2026, plans)
    written = [f"{d}-{m}-{y}" for d, m, y in zip(day, month, year, strict=True)]
    dates = np.where(rng.random(plans) < 0.3, year.astype(str), written)
    place = np.array(["Centrum", "Noord", "Zuid", "Oost", "West", "Haven", "Kern", "Dorp", "Stationsgebied",
                      "De Weiden", "Kerkstraat", "Molenweg"], dtype=object)  # fmt: skip
    where = place[rng.integers(0, len(place), plans)]
    columns = {
        "OBJECTID": np.arange(1, plans + 1, dtype=np.int64),
        "ET_ID": np.zeros(plans, dtype=np.int64),
        "Provincie": np.full(plans, province_name, dtype=object),
        "Gem_naam": names,
        "Plannaam": np.array(
            [f"{n} {w} {i}" for i, (n, w) in enumerate(zip(names, where, strict=True), 1)], dtype=object
        ),
        "Plantype": plan_type,
        "Planstatus": np.array([STATUSES[s][0] for s in status], dtype=object),
        "Aantalrest": homes,
        "Sloop": demolition.astype(np.int64),
        **{c: periods[:, i] for i, c in enumerate(["OP2019", "OP202024", "Op202529", "Op20302050", "OPLONB"])},
        **{c: types[:, i] for i, c in enumerate(["WTYPGGB", "WTYPAPP", "WTYPONB"])},
        **{c: tenure[:, i] for i, c in enumerate(["HUUR", "KOOP", "HRKPONB"])},
        "datum": dates.astype(object),
        "schatting": np.where(rng.random(plans) < 0.25, "ja", "nee").astype(object),
        "PSlegenda": np.array([STATUSES[s][1] for s in status], dtype=np.int64),
    }
    return columns, codes


def former_names(mergers: list[dict], municipalities: list[dict]) -> dict[str, list[str]]:
    """Per province, names of former municipalities (herindelingen.csv) a list may still carry and that resolve
    without doubt: one successor, which exists today and lies in the same province as the former municipality
    did (when the file says), not split over several successors, not also the name of a current municipality.
    Unclear cases are what the ingest cases test; the benchmark wants every row to import."""
    province_of = {m["gemeentecode"]: m["provinciecode"] for m in municipalities}
    current = {m["gemeentenaam"] for m in municipalities}
    successors: dict[str, set] = {}
    for merger in mergers:
        successors.setdefault(merger["voormalige_naam"], set()).add(merger["opvolger_code"])
    result: dict[str, list[str]] = {}
    for merger in mergers:
        name, successor = merger["voormalige_naam"], merger["opvolger_code"]
        then = merger.get("voormalige_provinciecode") or province_of.get(successor)
        if (len(successors[name]) == 1 and successor in province_of and then == province_of[successor]
                and "gesplitst" not in merger.get("toelichting", "") and name not in current):  # fmt: skip
            result.setdefault(province_of[successor], [])
            if name not in result[province_of[successor]]:
                result[province_of[successor]].append(name)
    return {code: sorted(names) for code, names in result.items()}


def expected_totals(columns: dict) -> dict[str, int]:
    """The list's own totals: homes (`Aantalrest`), hard / soft / unknown by `PSlegenda` as case 09 counts them
    (1 onherroepelijk and 2 vastgesteld hard; 3 in voorbereiding and 4 visie/optie soft; 5 onbekend unknown)."""
    homes, legend = columns["Aantalrest"], columns["PSlegenda"]
    soft = (legend == 3) | (legend == 4)
    return {"homes": int(homes.sum()), "hard": int(homes[legend <= 2].sum()), "soft": int(homes[soft].sum()),
            "unknown": int(homes[legend == 5].sum())}  # fmt: skip


def _plain(name: str) -> str:
    for suffix, replacement in PLAIN_NAMES.items():
        name = name.replace(suffix, replacement)
    return name


def _split(rng, homes, shares) -> np.ndarray:
    """Integer parts per row that add up to `homes` exactly (multinomial around the given shares)."""
    p = rng.dirichlet(np.array(shares) * 8, len(homes))
    parts = np.floor(p * homes[:, None]).astype(np.int64)
    parts[:, 0] += homes - parts.sum(axis=1)
    return parts


def _squares(rng, codes, homes):
    """A small square plan area (RD New, WKB) inside each row's municipality, ~50 homes per hectare."""
    import shapely
    from pyproj import Transformer

    from bouwregie.demo.generator import _points_in

    unique, index = np.unique(codes, return_inverse=True)
    lon, lat = _points_in(rng, unique, index)
    x, y = Transformer.from_crs(4326, 28992, always_xy=True).transform(lon, lat)
    half = np.sqrt(np.maximum(homes, 1) / 50 * 10_000) / 2
    return shapely.to_wkb(shapely.box(x - half, y - half, x + half, y + half))


def _write_gis(path: Path, columns: dict, wkb, driver: str) -> None:
    from pyogrio.raw import write

    write(str(path), wkb, list(columns.values()), list(columns), crs="EPSG:28992", geometry_type="Polygon",
          driver=driver, encoding="UTF-8" if driver == "ESRI Shapefile" else None, layer=path.stem)  # fmt: skip


def _write_shapefile_zip(path: Path, columns: dict, wkb) -> None:
    with tempfile.TemporaryDirectory() as folder:
        shp = Path(folder) / f"{path.stem}.shp"
        _write_gis(shp, columns, wkb, "ESRI Shapefile")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).iterdir()):
                archive.write(part, part.name)


def _write_xlsx(path: Path, columns: dict) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Plancapaciteit")
    sheet.append(list(columns))
    for row in zip(*(c.tolist() for c in columns.values()), strict=True):
        sheet.append(row)
    workbook.save(path)


def _write_csv(path: Path, columns: dict) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(columns)
        writer.writerows(zip(*(c.tolist() for c in columns.values()), strict=True))


def make_lists(folder: Path, total: int = 45_000, seed: int = 15) -> list[dict]:
    """Write the twelve lists into `folder`; returns per list: path, source, province, plans, format, homes."""
    from bouwregie.geo import reference

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    provinces = reference.read_provinces()
    municipalities = reference.read_municipalities()
    former_by_province = former_names(reference.read_mergers(), municipalities)
    sizes = province_sizes([p["provinciecode"] for p in provinces], municipalities, total)
    lists = []
    for province in provinces:
        code, name = province["provinciecode"], province["provincienaam"]
        former = former_by_province.get(code, [])
        delivered_as = "Fryslan" if code == "PV21" else name  # spelled without the circumflex, as in case 09
        columns, codes = _rows(rng, code, delivered_as, sizes[code], municipalities, former)
        kind = FORMATS.get(code, "shp.zip")
        path = folder / f"plancapaciteit-{name.lower().replace('â', 'a')}.{'zip' if kind == 'shp.zip' else kind}"
        if kind == "shp.zip":
            _write_shapefile_zip(path, columns, _squares(rng, codes, columns["Aantalrest"]))
        elif kind == "gpkg":
            _write_gis(path, columns, _squares(rng, codes, columns["Aantalrest"]), "GPKG")
        elif kind == "xlsx":
            _write_xlsx(path, columns)
        else:
            _write_csv(path, columns)
        lists.append({"path": str(path), "source": f"Provincie {name}", "province": name, "plans": sizes[code],
                      "format": kind, **expected_totals(columns)})  # fmt: skip
    return lists


if __name__ == "__main__":
    import os

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bouwregie.settings")
    django.setup()
    for item in make_lists(Path(sys.argv[1])):
        print(item)
