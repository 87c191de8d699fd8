"""What the backup commands tell the user: the contents of a backup and what the check compared."""

from django.utils.translation import gettext as _

from bouwregie.formatting import number


def summary(manifest: dict) -> str:
    history = manifest["history"]
    return _(
        "%(tables)d tabellen, %(projects)s projecten, %(versions)s versies, %(milestones)s mijlpalen, "
        "%(peilingen)s gesloten peilingen."
    ) % {
        "tables": len(manifest["tables"]),
        "projects": number(history["projects_project"]["rows"]),
        "versions": number(history["projects_projectversion"]["rows"]),
        "milestones": number(history["projects_milestone"]["rows"]),
        "peilingen": number(history["projects_peiling"]["rows"]),
    }


def checked(found: dict) -> str:
    text = _(
        "rijen per tabel en de controlesom van de historie gelijk, %(triggers)d triggers aanwezig en een UPDATE "
        "geweigerd"
    ) % {"triggers": len(found["triggers"])}
    if found.get("figures_compared", True):
        text += _(", monitorcijfers van %(peilingen)d gesloten peilingen gelijk") % {"peilingen": len(found["figures"])}
    return text + "."
