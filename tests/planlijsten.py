"""Small plan-list fixture files, built by the tests in every format we read (RD New and WGS84)."""

import csv
import zipfile
from pathlib import Path

import numpy as np
import shapely

PROVINCIAL_HEADER = [
    "Plan ID", "Plannaam", "Gemeente", "Provincie", "Plantype", "Planstatus", "Restcapaciteit", "Sloop",
    "2020-2024", "2025-2029", "2030 en later", "Periode onbekend", "Grondgebonden", "Appartement", "Huur", "Koop",
    "Datum", "Opmerking",
]  # fmt: skip

# A messy provincial list: mixed status spellings, former municipalities, spelling variants,
# Dutch thousands separators, a plan type nobody recognises.
PROVINCIAL_ROWS = [
    ["P-001", "Havenkwartier", "Weesp", "Noord-Holland", "Transformatie", "1A Onherroepelijk", "120", "10",
     "0", "103", "17", "0", "40", "80", "70", "50", "01-07-2025", "woningbouwkaart"],
    ["P-002", "Stationsgebied", "Den Haag", "Zuid-Holland", "Inbreiding", "1B onhr + uitwerkingsplicht", "450", "0",
     "0", "200", "250", "0", "0", "450", "300", "150", "2025-06-30", ""],
    ["P-003", "Molenveld", "Heerhugowaard", "Noord-Holland", "Uitleg", "2C vastgesteld + Wijzigingsbevoegdheid",
     "85", "0", "0", "85", "0", "0", "85", "0", "0", "85", "", ""],
    ["P-004", "De Kreek", "Beemster", "Noord-Holland", "uitbreiding", "3 plan/besluit in voorbereiding", "60", "",
     "0", "0", "60", "0", "", "", "", "", "", ""],
    ["P-005", "Kanaalzone", "Súdwest-Fryslân", "Fryslân", "herstructurering", "4A potentiele locatie in visie",
     "1.250", "200", "0", "0", "0", "1.250", "", "", "", "", "", ""],
    ["P-006", "Zuidrand", "Sudwest-Fryslan", "Friesland", "Flexwonen", "4B Optie", "24", "0", "24", "0", "0", "0",
     "", "24", "24", "0", "", ""],
    ["P-007", "Kerkpad", "'s-Hertogenbosch", "Noord-Brabant", "", "Status onbekend", "12", "0", "0", "12", "0",
     "0", "12", "0", "", "", "", ""],
    ["P-008", "Oude School", "Utrecht", "Utrecht", "Functieverandering maatschappelijk", "hard", "30", "0", "0",
     "30", "0", "0", "", "30", "30", "", "", ""],
    ["P-009", "Boerderij", "Cuijk", "Noord-Brabant", "woningsplitsing", "Vastgesteld", "4", "0", "0", "4", "0", "0",
     "4", "", "", "4", "", ""],
    ["P-010", "Werf", "0344", "Utrecht", "?", "iets anders", "15", "0", "0", "0", "0", "15", "", "", "", "", "", ""],
]  # fmt: skip

EXPECTED = {  # hand-derived from the rows above
    "P-001": ("GM0363", "1A", "transformatie", 120),
    "P-002": ("GM0518", "1B", "verdichting", 450),
    "P-003": ("GM1980", "2C", "uitleg", 85),
    "P-004": ("GM0439", "3", "uitleg", 60),
    "P-005": ("GM1900", "4A", "herstructurering", 1250),
    "P-006": ("GM1900", "4B", "flex", 24),
    "P-007": ("GM0796", "onbekend", "onbekend", 12),
    "P-008": ("GM0344", "hard", "functieverandering_maatschappelijk", 30),  # "hard": hardness known, IPO code not
    "P-009": ("GM1982", "2A", "optoppen_splitsen", 4),
    "P-010": ("GM0344", "onbekend", "onbekend", 15),
}


def write_csv(path: Path, header, rows, delimiter=";", encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header, rows, sheet="Plancapaciteit", title=None) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Toelichting"
    workbook.active.append(["Zie het werkblad Plancapaciteit."])
    worksheet = workbook.create_sheet(sheet)
    if title:
        worksheet.append([title])
        worksheet.append([])
    worksheet.append(header)
    for row in rows:
        worksheet.append([int(v) if isinstance(v, str) and v.isdigit() else v for v in row])
    workbook.save(path)
    return path


def write_gis(path: Path, geometries, header, rows, crs="EPSG:28992", driver=None) -> Path:
    from pyogrio.raw import write

    fields = [np.array([row[i] for row in rows], dtype=object) for i in range(len(header))]
    write(str(path), shapely.to_wkb(np.array(geometries, dtype=object)), fields, header, crs=crs,
          geometry_type="Unknown", driver=driver)  # fmt: skip
    return path


def zip_files(path: Path, files) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, Path(file).name)
    return path
