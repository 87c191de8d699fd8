"""Single sign-on with OpenID Connect (issue #22; accounts/oidc.py), against a real OIDC provider started by
the test (oidc-provider-mock): the claims map to organisation and role, on every login."""

from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_provider_mock import User, run_server_in_thread

from bouwregie.accounts import oidc
from bouwregie.accounts.models import Membership, Organisation

from .browser import SCREENSHOTS, browser_page, prepared, serving

BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend",
            "bouwregie.accounts.oidc.OrganisationClaimsBackend"]  # fmt: skip
AMBTENAAR = User(sub="ambtenaar", claims={"preferred_username": "j.jansen", "given_name": "Jan",
                                          "family_name": "Jansen", "email": "j.jansen@provincie-utrecht.nl",
                                          "bouwregie_organisatie": ["PV26:bewerker", "Waterschap Nergens"],
                                          "bouwregie_rol": "lezer"})  # fmt: skip


def endpoints(base: str) -> dict:
    """The provider's endpoints, as `bouwregie oidc discover` reads them from its discovery document."""
    return {"OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{base}/oauth2/token", "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{base}/jwks"}  # fmt: skip


@pytest.fixture
def provider():
    with run_server_in_thread(user_claims=[AMBTENAAR]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def utrecht(db):
    from bouwregie.geo.models import Province

    return Organisation.objects.create(name="Provincie Utrecht", kind="provincie",
                                       province=Province.objects.get(code="PV26"))  # fmt: skip


def test_claims_map_to_organisation_and_role(utrecht):
    gemeente = Organisation.objects.create(name="Gemeente Utrecht", kind="gemeente", municipality_id="GM0344")
    claims = {"bouwregie_organisatie": ["PV26:bewerker", "gm0344", "Onbekend BV"], "bouwregie_rol": "tafelbeheerder"}
    assert oidc.memberships_of(claims) == ({utrecht.pk: "bewerker", gemeente.pk: "tafelbeheerder"}, ["Onbekend BV"])
    assert oidc.memberships_of({"bouwregie_organisatie": "Provincie Utrecht", "bouwregie_rol": "koning"}) == (
        {utrecht.pk: "lezer"}, [])  # an unknown role gives the least rights  # fmt: skip
    assert oidc.username_of({"sub": "x"}) == "oidc:x" and oidc.username_of({}) is None


def test_login_through_the_provider_maps_claims_on_every_login(client, settings, provider, utrecht, caplog):
    settings.OIDC_ENABLED, settings.AUTHENTICATION_BACKENDS = True, BACKENDS
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "bouwregie", "geheim"
    for name, value in endpoints(provider).items():
        setattr(settings, name, value)
    assert "Inloggen met het account van uw organisatie" in client.get("/inloggen").content.decode()

    def sign_in():
        start = client.get("/oidc/authenticate/")
        assert start.status_code == 302 and start.url.startswith(f"{provider}/oauth2/authorize")
        query = parse_qs(urlsplit(start.url).query)
        assert query["client_id"] == ["bouwregie"] and query["nonce"] and query["state"]
        import requests

        chosen = requests.post(start.url, data={"sub": "ambtenaar"}, allow_redirects=False, timeout=10)
        assert chosen.status_code == 302
        back = urlsplit(chosen.headers["Location"])
        return client.get(f"{back.path}?{back.query}")

    done = sign_in()
    assert done.status_code == 302
    user = Membership.objects.get(organisation=utrecht).user
    assert (user.username, user.first_name, user.email) == ("oidc:j.jansen", "Jan", "j.jansen@provincie-utrecht.nl")
    assert Membership.objects.get(user=user).role == "bewerker" and not user.has_usable_password()
    assert "Waterschap Nergens" in caplog.text  # unknown organisation: logged, no organisation created
    assert not Organisation.objects.filter(name="Waterschap Nergens").exists()
    # The provider is the source: a role changed there is the role here at the next login.
    client.logout()
    Membership.objects.filter(user=user).update(role="beheerder")  # e.g. edited locally by mistake
    sign_in()
    assert Membership.objects.get(user=user).role == "bewerker"


def test_a_local_account_cannot_be_taken_over_through_the_provider(client, settings, provider, utrecht):
    from django.contrib.auth import get_user_model

    local = get_user_model().objects.create_user("j.jansen", password="een-lang-wachtwoord-123")
    claims = {"preferred_username": "j.jansen", "sub": "ambtenaar"}
    assert oidc.username_of(claims) != local.username


@pytest.mark.own_sqlite
def test_browser_sign_in_with_the_organisations_account(tmp_path):
    """A civil servant clicks "Inloggen met het account van uw organisatie", chooses her identity at the
    provider and is back, signed in as editor of Provincie Utrecht: the real server, the real provider."""
    with run_server_in_thread(user_claims=[AMBTENAAR]) as mock:
        base = f"http://localhost:{mock.server_port}"
        env = prepared(tmp_path, projects=60, seed=2)
        env.update({"BOUWREGIE_OIDC_CLIENT_ID": "bouwregie", "BOUWREGIE_OIDC_CLIENT_SECRET": "geheim",
                    "BOUWREGIE_OIDC_AUTHORIZATION_ENDPOINT": f"{base}/oauth2/authorize",
                    "BOUWREGIE_OIDC_TOKEN_ENDPOINT": f"{base}/oauth2/token",
                    "BOUWREGIE_OIDC_USERINFO_ENDPOINT": f"{base}/userinfo",
                    "BOUWREGIE_OIDC_JWKS_ENDPOINT": f"{base}/jwks"})  # fmt: skip
        with serving(env, "--workers", "1", "--no-worker") as url, browser_page() as page:
            page.goto(url + "/inloggen")
            page.get_by_role("link", name="Inloggen met het account van uw organisatie").click()
            page.get_by_role("button", name="Authorize as ambtenaar").click()
            page.wait_for_url(url + "/**")
            assert "Ingelogd als oidc:j.jansen" in page.inner_text("body")
            # Editor of Provincie Utrecht (from the claims): she may enter a woondeal; a reader may not.
            response = page.goto(url + "/woondeals/nieuw")
            assert response.status == 200 and page.inner_text("h1") == "Nieuwe woondeal"
            page.screenshot(path=SCREENSHOTS / "oidc-ingelogd.png")


def test_discover_prints_the_providers_endpoints(provider):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc", "discover", provider, stdout=out)
    lines = dict(
        line.split("=", 1)
        for line in out.getvalue().splitlines()
        if line.startswith("BOUWREGIE_OIDC_") and "…" not in line
    )
    assert lines["BOUWREGIE_OIDC_TOKEN_ENDPOINT"] == endpoints(provider)["OIDC_OP_TOKEN_ENDPOINT"]
    assert lines["BOUWREGIE_OIDC_JWKS_ENDPOINT"] == endpoints(provider)["OIDC_OP_JWKS_ENDPOINT"]
