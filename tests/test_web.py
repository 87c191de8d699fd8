import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_home_page_in_dutch_without_and_with_data(client):
    page = client.get("/").content.decode()
    assert "Nog geen gesloten peiling" in page and "12 provincies en 342 gemeenten" in page
    call_command("demo", projects=200, seed=1)
    page = client.get("/").content.decode()
    assert "Peiling 2026-Q3" in page and "Zuid-Holland" in page
