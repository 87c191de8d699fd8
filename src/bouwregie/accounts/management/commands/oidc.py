"""`bouwregie oidc discover URL`: read an OpenID provider's discovery document and print the environment lines
Bouwregie needs (settings.py, docs/productie.md), so nobody copies endpoints by hand."""

import json
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _

NAMES = {"authorization_endpoint": "AUTHORIZATION_ENDPOINT", "token_endpoint": "TOKEN_ENDPOINT",
         "userinfo_endpoint": "USERINFO_ENDPOINT", "jwks_uri": "JWKS_ENDPOINT",
         "end_session_endpoint": "LOGOUT_ENDPOINT"}  # fmt: skip


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _("Eenmalige aanmelding (OpenID Connect): 'oidc discover URL' toont de instellingen van een provider.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        discover = sub.add_parser("discover", help=_("de endpoints uit het discovery-document van de provider"))
        discover.add_argument("issuer", help=_("bijv. https://sso.provincie.nl/realms/bouwregie"))

    def handle(self, *args, action, issuer, **options):
        url = issuer.rstrip("/")
        if not url.endswith("/.well-known/openid-configuration"):
            url += "/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (an https URL the operator gives)
                document = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise CommandError(
                _("Kan het discovery-document %(url)s niet lezen: %(error)s") % {"url": url, "error": error}
            ) from None
        for key, name in NAMES.items():
            if document.get(key):
                self.stdout.write(f"BOUWREGIE_OIDC_{name}={document[key]}")
        self.stdout.write(
            "BOUWREGIE_OIDC_CLIENT_ID=…  BOUWREGIE_OIDC_CLIENT_SECRET=…  " + _("(van de beheerder van de provider)")
        )
