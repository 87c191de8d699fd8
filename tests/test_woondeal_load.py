"""The woondeal template as real users fill it (issue #17 review): dates typed in Excel, a CSV saved by Excel in
Windows-1252, municipalities by name, unknown columns, a file far too long, the two-step load (preview, then
confirm) with a report naming every deal and version, the command line's reason and author, the list "as agreed
on" a date, and messages that name the right thing."""

import getpass
import re
import time
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from bouwregie.woondeals import store, template
from bouwregie.woondeals.models import Woondeal, WoondealVersion

from .roles import seat_user
from .test_woondeal_pages import DEAL, _form, _text, confirm, plan_of


@pytest.fixture
def people(db):
    return {
        "nh": seat_user("pnh", "Provincie Noord-Holland", "provincie", "PV27", None, "bewerker"),
        "beheerder": seat_user("bh", "Platform", "other", None, None, "beheerder"),
    }


def _row(code="WD-07", **changes) -> list:
    return template.row_of(code, store.normalised({**DEAL, **changes}))


def _csv(tmp_path, rows, name="woondeals.csv"):
    path = tmp_path / name
    path.write_bytes(template.write(rows, "csv"))
    return path


def _xlsx(tmp_path, rows, edit=None):
    from openpyxl import load_workbook

    path = tmp_path / "woondeals.xlsx"
    path.write_bytes(template.write(rows, "xlsx"))
    if edit:
        book = load_workbook(path)
        edit(book["woondeals"])
        book.save(path)
    return path


def _refusal(path) -> str:
    with pytest.raises(template.TemplateError) as refused:
        template.plan(path)
    return str(refused.value)


# --- 1. dates typed in Excel ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_date_typed_in_excel_is_a_date_and_one_with_a_time_is_refused_naming_the_cell(tmp_path):
    def typed(sheet):  # what Excel stores when 1-3-2024 is typed in a date column: a date cell
        sheet["D2"].value = datetime(2024, 3, 1)
        sheet["D3"].value = date(2023, 7, 15)

    outcomes, _warnings = template.load(_xlsx(tmp_path, [_row(), _row("WD-08")], typed), "Excel", "a")
    assert [o.status for o in outcomes] == [template.NEW, template.NEW]
    assert store.as_agreed_on("WD-07").valid_from == date(2024, 3, 1)
    assert store.as_agreed_on("WD-08").valid_from == date(2023, 7, 15)

    def with_time(sheet):
        sheet["D2"].value = datetime(2025, 3, 1, 14, 30)

    message = _refusal(_xlsx(tmp_path, [_row(valid_from="2025-01-01")], with_time))
    assert "Rij 2, kolom geldig_vanaf, waarde '2025-03-01 14:30:00': een datum met een tijd (14:30)" in message
    assert WoondealVersion.objects.count() == 2


@pytest.mark.django_db
def test_the_excel_template_keeps_what_is_typed_dates_as_dates_and_lists_as_text(tmp_path):
    from openpyxl import load_workbook

    sheet = load_workbook(_xlsx(tmp_path, [_row()]))["woondeals"]
    assert sheet["D2"].is_date and sheet["D2"].value == datetime(2022, 10, 1)
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["D"].number_format == "yyyy-mm-dd"  # a new row typed by the user too
    for letter in ("A", "B", "C", "E", "F", "G"):  # code, naam, provincies, bron, gemeenten, ondertekenaars
        assert sheet.column_dimensions[letter].number_format == "@", letter


# --- 2. encodings --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_csv_saved_by_excel_in_windows_1252_loads_with_a_warning(tmp_path):
    utf8 = template.write([_row(name="Demo-woondeal Café Súdwest")], "csv")
    assert utf8.startswith(b"\xef\xbb\xbf")  # the template is UTF-8 with a BOM, as the project exports
    path = tmp_path / "cp1252.csv"
    path.write_bytes(utf8.decode("utf-8-sig").encode("cp1252"))
    outcomes, warnings = template.load(path, "Excel Windows", "a")
    assert store.as_agreed_on("WD-07").name == "Demo-woondeal Café Súdwest" and outcomes[0].number == 1
    assert "cp1252.csv gelezen als Windows-1252 (geen UTF-8)." in warnings


# --- 3. municipalities by name -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_gemeenten_by_name_as_the_form_reads_them(tmp_path, client, people):
    text = "Amsterdam, Aalsmeer vanaf 2023-01-01, Weesp tot 2022-03-24, Nuenen, Gerwen en Nederwetten"
    row = _row(provinces=["PV27", "PV30"])  # Nuenen lies in Noord-Brabant
    row[template.COLUMNS.index("gemeenten")] = text
    template.load(_csv(tmp_path, [row]), "Namen", "a")
    assert [(m["code"], m["from"], m["until"]) for m in store.as_agreed_on("WD-07").members] == [
        ("GM0363", None, None),
        ("GM0358", "2023-01-01", None),
        ("GM0457", None, "2022-03-24"),  # Weesp's own membership, ended at its merger (as in the form)
        ("GM0820", None, None),  # a name with a comma stays one municipality
    ]
    row[template.COLUMNS.index("gemeenten")] = "Amsterdam, Amsterdm"
    message = _refusal(_csv(tmp_path, [row]))
    client.force_login(people["nh"])
    form = _text(client.post("/woondeals/nieuw", _form(**{"lid-1-gemeente": "Amsterdm"})))
    said = re.search(r"Onbekende gemeente 'Amsterdm'\.[^.]*\?", form)[0]  # the form's words, with its suggestion
    assert "Bedoelde u" in said and f"kolom gemeenten, waarde 'Amsterdam, Amsterdm': {said}" in message


# --- 4. preview, confirm and the report ---------------------------------------------------------------------
@pytest.mark.django_db
def test_the_upload_shows_what_each_row_does_and_writes_only_on_confirmation(client, people, tmp_path):
    store.record("WD-07", DEAL, "a", "eerste")
    store.record("WD-08", {**DEAL, "name": "Demo Zaanstreek"}, "a", "eerste")
    rows = [_row(taakstelling_total=950), _row("WD-08", name="Demo Zaanstreek"), _row("WD-15", name="Nieuw")]
    content = template.write(rows, "csv")
    client.force_login(people["nh"])
    preview = client.post("/woondeals/laden", {"bestand": SimpleUploadedFile("w.csv", content), "reden": "Q3"})
    page = _text(preview)
    assert preview.status_code == 200 and WoondealVersion.objects.count() == 2  # nothing written yet
    assert "1 nieuwe woondeal, 1 nieuwe versie van een bestaande woondeal, 1 ongewijzigd" in page
    assert "WD-07 Demo-woondeal Amstelland nieuwe versie van een bestaande woondeal" in page
    assert "taakstelling_2022_2030: 900 → 950" in page and "WD-15 Nieuw nieuwe woondeal (versie 1)" in page
    assert "WD-08 Demo Zaanstreek ongewijzigd; geen nieuwe versie" in page
    signed = plan_of(preview)
    assert client.post("/woondeals/laden", {"plan": signed[:-3] + "xyz"}).status_code == 400  # altered: refused
    other = Client()
    other.force_login(people["beheerder"])
    assert "ongeldig" in _text(other.post("/woondeals/laden", {"plan": signed}))  # another user's preview
    assert WoondealVersion.objects.count() == 2
    done = confirm(client, preview)
    assert done.status_code == 302
    report = _text(client.get(done.url))
    assert "2 nieuwe versies vastgelegd, 1 woondeal ongewijzigd." in report
    assert "WD-07 → versie 2 (Demo-woondeal Amstelland)" in report
    assert "WD-15 → versie 1 (Nieuw), nieuwe woondeal" in report and "WD-08 ongewijzigd (Demo Zaanstreek)" in report
    assert WoondealVersion.objects.filter(woondeal__code="WD-08").count() == 1  # the unchanged row wrote nothing
    assert store.as_agreed_on("WD-07").reason == "Q3" and store.as_agreed_on("WD-07").author == "pnh"
    again = confirm(client, preview)  # the same preview twice: the deals moved on, nothing written
    assert again.status_code == 400 and "intussen gewijzigd" in _text(again)
    assert WoondealVersion.objects.count() == 4


@pytest.mark.django_db
def test_a_change_between_preview_and_confirmation_writes_nothing(client, people):
    store.record("WD-07", DEAL, "a", "eerste")
    content = template.write([_row(taakstelling_total=950), _row("WD-15", name="Nieuw")], "csv")
    client.force_login(people["nh"])
    preview = client.post("/woondeals/laden", {"bestand": SimpleUploadedFile("w.csv", content), "reden": "Q3"})
    store.record("WD-07", {**DEAL, "name": "Intussen"}, "b", "tussendoor")
    refused = confirm(client, preview)
    assert refused.status_code == 400 and "Woondeal WD-07 is intussen gewijzigd (nu versie 2)" in _text(refused)
    assert not Woondeal.objects.filter(code="WD-15").exists() and WoondealVersion.objects.count() == 2


@pytest.mark.django_db
def test_the_command_line_names_every_deal_and_version(tmp_path, capsys):
    store.record("WD-07", DEAL, "a", "eerste")
    path = _csv(tmp_path, [_row(name="Demo-woondeal Utrecht 1"), _row("WD-08")])
    call_command("woondeals", "load", str(path), "--reden", "Q3")
    out = capsys.readouterr().out
    assert "WD-07 → versie 2 (Demo-woondeal Utrecht 1)" in out
    assert "WD-08 → versie 1 (Demo-woondeal Amstelland), nieuwe woondeal" in out
    call_command("woondeals", "load", str(path), "--reden", "Nogmaals")
    out = capsys.readouterr().out
    assert "WD-07 ongewijzigd (Demo-woondeal Utrecht 1), geen nieuwe versie" in out
    assert "0 nieuwe versies vastgelegd, 2 woondeals ongewijzigd." in out and WoondealVersion.objects.count() == 3


# --- 5. columns ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_unknown_and_unnamed_columns_are_refused_naming_them(tmp_path):
    header = ";".join(template.COLUMNS)
    body = template.write([_row()], "csv").decode("utf-8-sig").split("\n")[1]
    extra = tmp_path / "extra.csv"
    extra.write_text(f"{header};opmerking\n{body};zie mail\n", encoding="utf-8")
    message = _refusal(extra)
    assert "extra.csv, rij 1: onbekende kolommen: 'opmerking'; bekende kolommen: code, naam, provincies" in message
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text(f"{header};\n{body};zie mail\n", encoding="utf-8")
    message = _refusal(unnamed)
    assert "unnamed.csv, rij 2, kolom 27: waarde 'zie mail' staat in een kolom zonder naam in rij 1" in message
    longer = tmp_path / "longer.csv"
    longer.write_text(f"{header}\n{body};zie mail\n", encoding="utf-8")
    assert "rij 2, kolom 27: waarde 'zie mail'" in _refusal(longer)
    twice = tmp_path / "twice.csv"
    twice.write_text(f"{header};naam\n{body};Andere naam\n", encoding="utf-8")
    assert "kolommen staan er meer dan eens: naam" in _refusal(twice)
    empty_column = tmp_path / "empty.csv"  # an empty trailing column (a spreadsheet's habit) is no column
    empty_column.write_text(f"{header};\n{body};\n", encoding="utf-8")
    assert [o.code for o in template.plan(empty_column).outcomes] == ["WD-07"]
    assert not Woondeal.objects.exists()


# --- 6. command line: reason required, author the OS user ------------------------------------------------------
@pytest.mark.django_db
def test_the_command_line_wants_a_reason_and_records_the_os_user(tmp_path):
    path = _csv(tmp_path, [_row()])
    with pytest.raises(CommandError, match="--reden"):
        call_command("woondeals", "load", str(path))
    with pytest.raises(CommandError, match="reden"):
        call_command("woondeals", "load", str(path), "--reden", "  ")
    assert not Woondeal.objects.exists()
    call_command("woondeals", "load", str(path), "--reden", "Eerste invoer")
    version = store.as_agreed_on("WD-07")
    assert version.author == getpass.getuser() and version.reason == "Eerste invoer"


# --- 7. a file far too long ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_too_many_rows_are_refused_before_checking_them(tmp_path):
    body = template.write([_row()], "csv").decode("utf-8-sig").split("\n")[1]
    path = tmp_path / "groot.csv"
    lines = [";".join(template.COLUMNS)] + [body.replace("WD-07", f"WD-x{i}") for i in range(14_000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    started = time.perf_counter()
    message = _refusal(path)
    assert time.perf_counter() - started < 2
    assert "groot.csv heeft meer dan 1.000 rijen" in message and "de grens is 1.000" in message


@pytest.mark.django_db
def test_at_most_the_first_hundred_errors_are_listed(tmp_path, client, people):
    rows = [_row(f"WD-{i:03d}", taakstelling_total="veel") for i in range(150)]
    content = template.write(rows, "csv")
    message = _refusal(_csv(tmp_path, rows))
    assert message.count("geen aantal woningen") == 100 and message.endswith("… en 50 fouten meer.")
    client.force_login(people["nh"])
    page = client.post("/woondeals/laden", {"bestand": SimpleUploadedFile("w.csv", content), "reden": "x"})
    assert page.status_code == 400 and _text(page).count("geen aantal woningen") == 100
    assert "… en 50 fouten meer." in _text(page) and len(page.content) < 100_000


# --- 8. the list as agreed on a date ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_list_answers_as_agreed_on_a_date(client):
    store.record("WD-07", DEAL, "a", "eerste")
    store.record("WD-07", {**DEAL, "name": "Amstelland-Meerlanden", "taakstelling_total": 950,
                           "valid_from": "2025-01-01"}, "b", "actualisatie")  # fmt: skip
    today = _text(client.get("/woondeals"))
    assert "Amstelland-Meerlanden" in today and "950" in today
    before = client.get("/woondeals?op=2024-06-01")
    page = _text(before)
    assert "Woondeals zoals afgesproken op 1-6-2024" in page and "Demo-woondeal Amstelland" in page
    assert "Amstelland-Meerlanden" not in page and "950" not in page
    assert (
        'value="2024-06-01"' in before.content.decode() and "/woondeals/WD-07?op=2024-06-01" in before.content.decode()
    )
    bad = client.get("/woondeals?op=morgen")
    assert bad.status_code == 400 and "geen geldige datum" in _text(bad)


# --- 9. messages ------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_unknown_province_is_named_before_any_permission_question(client, people, tmp_path):
    client.force_login(people["nh"])
    content = template.write([_row(provinces=["PV99"])], "csv")
    page = client.post("/woondeals/laden", {"bestand": SimpleUploadedFile("w.csv", content), "reden": "x"})
    assert page.status_code == 400 and "Rij 2, kolom provincies, waarde 'PV99': Onbekende provinciecode" in _text(page)
    assert "eigen provincie" not in _text(page)
    form = client.post("/woondeals/nieuw", _form(provincies=["PV99"]))
    assert "Onbekende provinciecode 'PV99'" in _text(form) and "eigen provincie" not in _text(form)
    api = client.post("/api/v1/woondeals", {**DEAL, "code": "WD-09", "reason": "x", "provinces": ["PV99"]},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 400 and "PV99" in api.content.decode()
    assert not Woondeal.objects.exists()


@pytest.mark.django_db
def test_anonymous_writes_to_the_api_get_401_also_with_csrf_checks(people):
    store.record("WD-07", DEAL, "a", "eerste")
    browser = Client(enforce_csrf_checks=True)  # as a real client: Django's test client skips CSRF otherwise
    for answer in (
        browser.post("/api/v1/woondeals", {**DEAL, "code": "WD-09", "reason": "x"}, content_type="application/json"),
        browser.patch("/api/v1/woondeals/WD-07", {"reason": "x"}, content_type="application/json"),
    ):
        assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"
    browser.force_login(people["beheerder"])  # signed in, without the token: still refused by the CSRF check
    assert browser.patch("/api/v1/woondeals/WD-07", {"reason": "x"}, content_type="application/json").status_code == 403
    assert WoondealVersion.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_peiling_in_the_api_gives_api_advice(client):
    store.record("WD-07", DEAL, "a", "eerste")
    answer = client.get("/api/v1/woondeals/WD-07/voortgang?peiling=2031-Q1")
    detail = answer.json()["detail"]
    assert answer.status_code == 404 and "Peiling '2031-Q1' bestaat niet" in detail
    assert "bouwregie peiling" not in detail and "GET /api/v1/peilingen" in detail


@pytest.mark.django_db
def test_an_unchanged_form_says_so(client, people):
    client.force_login(people["nh"])
    client.post("/woondeals/nieuw", _form())
    same = client.post("/woondeals/WD-20/bewerken", _form(code=None, versie="1", reden="x"), follow=True)
    assert "Niets gewijzigd; er is geen nieuwe versie vastgelegd." in _text(same)
    assert WoondealVersion.objects.count() == 1


# --- 10. one date format on the woondeal pages -------------------------------------------------------------------
@pytest.mark.django_db
def test_woondeal_pages_show_dates_in_one_dutch_format(client):
    store.record("WD-07", {**DEAL, "members": [{"code": "GM0457", "until": "2022-03-24"}, {"code": "GM0363"},
                                               {"code": "GM0358", "from": "2023-01-01"}]}, "a", "eerste")  # fmt: skip
    store.record("WD-08", {**DEAL, "valid_from": "2099-09-30"}, "a", "later")
    iso = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
    for url in ("/woondeals", "/woondeals/WD-07", "/woondeals/WD-07?op=2022-01-01", "/woondeals?op=2023-02-01"):
        page = _text(client.get(url))
        assert not iso.search(page), (url, iso.findall(page))
    detail = _text(client.get("/woondeals/WD-07"))
    assert "24-3-2022" in detail and "1-1-2023" in detail
    assert "van kracht vanaf 30-9-2099" in _text(client.get("/woondeals"))


def _form_as_shown(page: str) -> dict:
    """The edit form's fields as the browser would post them untouched (inputs, selected options, textareas)."""
    from html.parser import HTMLParser

    fields: dict[str, list[str]] = {}

    class Form(HTMLParser):
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
                fields.setdefault(a["name"], []).append(a.get("value") or "")
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                fields.setdefault(self.select, []).append(a.get("value"))
            elif tag == "textarea":
                fields.setdefault(a["name"], []).append("")

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    Form().feed(page)
    return fields


@pytest.mark.django_db
def test_a_deal_saved_back_untouched_through_the_form_adds_no_version(client, people):
    """Loaded from the template (two provinces, members with end dates, two signatories), opened in the form and
    saved without a change: no version, and the page says so."""
    store.record("WD-07", {**DEAL, "provinces": ["PV27", "PV26"], "members": [
        {"code": "GM0457", "until": "2022-03-24"}, {"code": "GM0363"}, {"code": "GM0358", "from": "2023-01-01"}],
        "signatories": [*DEAL["signatories"], {"name": "Bouwbedrijf Demo", "kind": "bouwer", "role": "support"}],
    }, "a", "eerste")  # fmt: skip
    client.force_login(people["beheerder"])
    fields = _form_as_shown(client.get("/woondeals/WD-07/bewerken").content.decode())
    fields["reden"] = ["Niets"]
    saved = client.post("/woondeals/WD-07/bewerken", fields, follow=True)
    assert "Niets gewijzigd; er is geen nieuwe versie vastgelegd." in _text(saved), _text(saved)[-1500:]
    assert WoondealVersion.objects.count() == 1
