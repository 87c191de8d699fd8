"""The import template and its column guide, made from the definitions the importer itself reads (issue #19):
the columns are those `bouwregie export` writes (ingest.export.TEMPLATE_COLUMNS), and each column's meaning is
what the `standaard` profile binds it to (ingest.profiles: the same Binding an upload gets), described with
the importer's own field descriptions (profiles.FIELDS). A column the profile would not read cannot appear
in the guide as if it were read: `guide()` says "niet ingelezen" and the tests require there are none."""

from django.utils.translation import gettext as _

from bouwregie.ingest.export import TEMPLATE_COLUMNS
from bouwregie.ingest.profiles import FIELDS, load_profile
from bouwregie.projects.enums import HousingType, Segment, TargetGroup
from bouwregie.projects.milestones import phase_label

PROFILE = "standaard"


def guide() -> list[dict]:
    """[{"column", "meaning", "read"}] for every column of the import template, in template order."""
    profile = load_profile(PROFILE)
    binding = profile.bind(list(TEMPLATE_COLUMNS))
    meaning: dict[int, str] = {}
    for target, i in binding.fields.items():
        meaning[i] = _(FIELDS[target])
    for i in binding.municipality_candidates:
        meaning.setdefault(i, _(FIELDS["municipality"]))
    for i in binding.id_candidates:
        meaning.setdefault(i, _(FIELDS["external_id"]))
    for (segment, housing), i in binding.matrix.items():
        meaning[i] = _("woningen %(segment)s, %(housing)s") % {
            "segment": Segment(segment).label, "housing": HousingType(housing).label}  # fmt: skip
    for group, i in binding.groups.items():
        meaning[i] = _("woningen voor doelgroep %s") % TargetGroup(group).label
    for (kind, which), i in binding.milestones.items():
        text = _("mijlpaal %s: geplande datum") if which == "planned" else _("mijlpaal %s: werkelijke datum")
        meaning[i] = text % phase_label(kind)
    for kind, i in binding.tenure.items():
        meaning[i] = _("woningen naar eigendom: %s") % {"huur": _("huur"), "koop": _("koop")}.get(kind, _("onbekend"))
    rows = []
    for i, column in enumerate(TEMPLATE_COLUMNS):
        if i in meaning:
            rows.append({"column": column, "meaning": meaning[i], "read": True})
        elif i in binding.used:  # the profile's informational columns
            rows.append({"column": column, "meaning": _("ter informatie; de import leidt dit zelf af"), "read": False})
        else:
            rows.append({"column": column, "meaning": _("niet ingelezen"), "read": False})
    return rows


def template_rows():
    """The empty import template: the header the importer recognises without choosing a profile."""
    yield list(TEMPLATE_COLUMNS)


def guide_rows():
    """The column guide as a download (header in the page's language)."""
    yield [_("Kolom"), _("Betekenis"), _("Ingelezen")]
    for row in guide():
        yield [row["column"], row["meaning"], _("ja") if row["read"] else _("nee")]
