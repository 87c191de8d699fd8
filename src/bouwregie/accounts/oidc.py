"""Single sign-on with OpenID Connect (issue #22): civil servants log in with their organisation's account
(Keycloak, ADFS, Entra ID) through mozilla-django-oidc, the library Common Ground projects use. Local accounts
stay for the embedded default; SSO is on when BOUWREGIE_OIDC_CLIENT_ID is set (settings.py, docs/productie.md).

Who someone is in Bouwregie comes from the provider's claims, on every login (the provider is the source; a
membership the claims no longer give is removed):
- username: the claim OIDC_USERNAME_CLAIM (default `preferred_username`, else `sub`), prefixed "oidc:" so it
  can never take over a local account of the same name; name and e-mail from `given_name`, `family_name`,
  `email`. The account gets no usable password: it can only log in through the provider.
- organisations: the claim OIDC_ORGANISATION_CLAIM (default `bouwregie_organisatie`), one value or a list; a
  value is an organisation's exact name, or a CBS code (PV26, GM0344) of a province's or municipality's
  organisation. A value may carry its role after a colon ("PV26:bewerker").
- role: otherwise the claim OIDC_ROLE_CLAIM (default `bouwregie_rol`): one of Membership.Role (beheerder,
  lezer, bewerker, tafelbeheerder); missing or unknown → lezer (least rights), logged.
An organisation the platform does not know gives no membership (logged, and said on the page), never a new
organisation: the beheerder creates organisations.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from bouwregie.accounts.models import Membership, Organisation

log = logging.getLogger(__name__)
PREFIX = "oidc:"


def username_of(claims: dict) -> str | None:
    value = claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("sub")
    return f"{PREFIX}{value}"[:150] if value else None


def memberships_of(claims: dict) -> tuple[dict[int, str], list[str]]:
    """({organisation id: role}, [values that name no known organisation]) from the claims (rules above)."""
    raw = claims.get(settings.OIDC_ORGANISATION_CLAIM) or []
    values = [raw] if isinstance(raw, str) else [str(v) for v in raw]
    default_role = _role(claims.get(settings.OIDC_ROLE_CLAIM))
    found, unknown = {}, []
    for value in values:
        name, _sep, role = value.partition(":")
        organisation = _organisation(name.strip())
        if organisation is None:
            unknown.append(name.strip())
            continue
        found[organisation.pk] = _role(role) if role else default_role
    return found, unknown


def _role(value) -> str:
    text = str(value or "").strip().lower()
    if text in Membership.Role.values:
        return text
    if text:
        log.warning("OIDC: onbekende rol %r, lezer gegeven", text)
    return Membership.Role.LEZER


def _organisation(value: str) -> Organisation | None:
    found = Organisation.objects.filter(name=value).first()
    code = value.upper()
    if found is None and code.startswith("PV"):
        found = Organisation.objects.filter(kind=Organisation.Kind.PROVINCIE, province_id=code).first()
    if found is None and code.startswith("GM"):
        found = Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE, municipality_id=code).first()
    return found


class OrganisationClaimsBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with our rules for accounts and memberships (module docstring)."""

    def filter_users_by_claims(self, claims):
        username = username_of(claims)
        return self.UserModel.objects.filter(username=username) if username else self.UserModel.objects.none()

    def verify_claims(self, claims) -> bool:
        return bool(username_of(claims))

    def create_user(self, claims):
        user = self.UserModel(username=username_of(claims))
        user.set_unusable_password()
        return self._update(user, claims)

    def update_user(self, user, claims):
        return self._update(user, claims)

    @transaction.atomic
    def _update(self, user, claims):
        user.first_name = str(claims.get("given_name", ""))[:150]
        user.last_name = str(claims.get("family_name", ""))[:150]
        user.email = str(claims.get("email", ""))[:254]
        user.save()
        wanted, unknown = memberships_of(claims)
        Membership.objects.filter(user=user).exclude(organisation_id__in=wanted).delete()
        for organisation, role in wanted.items():
            Membership.objects.update_or_create(user=user, organisation_id=organisation, defaults={"role": role})
        if unknown:
            log.warning("OIDC: %s noemt onbekende organisatie(s) %s", user.username, ", ".join(unknown))
            if self.request is not None:
                messages.warning(self.request, _("Uw organisatie (%(names)s) is niet bekend in Bouwregie; u ziet "
                                                 "alleen openbare cijfers. Vraag de beheerder haar aan te maken.")
                                 % {"names": ", ".join(unknown)})  # fmt: skip
        return user
