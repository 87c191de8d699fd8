from django.core.management.base import BaseCommand, CommandError

from bouwregie.taal import gettext as _


class Command(BaseCommand):
    requires_system_checks = []  # Django's URL checks import every page and the API (2 s); `bouwregie check` runs them
    help = _(
        "API-sleutels voor machinale clients: 'token create --user U --name N', 'token list', 'token revoke BEGIN'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("een nieuwe sleutel (wordt één keer getoond)"))
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help=_("waarvoor de sleutel dient"))
        sub.add_parser("list", help=_("alle sleutels (alleen het begin)"))
        revoke = sub.add_parser("revoke", help=_("een sleutel intrekken"))
        revoke.add_argument("prefix", help=_("het begin van de sleutel, zoals 'token list' het toont"))

    def handle(self, *args, action, **options):
        from django.contrib.auth import get_user_model

        from bouwregie.accounts import tokens
        from bouwregie.accounts.models import ApiToken

        if action == "create":
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("Gebruiker '%s' bestaat niet.") % options["user"])
            self.stdout.write(tokens.issue(user, options["name"]))
            self.stderr.write(_("Bewaar deze sleutel nu: hij wordt niet nog eens getoond."))
        elif action == "list":
            for t in ApiToken.objects.select_related("user").order_by("created_at"):
                state = _("ingetrokken") if t.revoked else _("laatst gebruikt %s") % (t.last_used_at or "-")
                self.stdout.write(f"{t.prefix}…  {t.user.username:<12} {t.name:<30} {state}")
        else:
            if ApiToken.objects.filter(prefix=options["prefix"]).update(revoked=True) == 0:
                raise CommandError(_("Geen sleutel die begint met '%s'.") % options["prefix"])
            self.stdout.write(_("Sleutel %s… ingetrokken.") % options["prefix"])
