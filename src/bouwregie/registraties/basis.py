"""The grounds on which a BAG woning is linked to a project (linking.py's rule, docs/registraties-koppeling.md):
stored with every link (models.Link.basis) and named on the project page.

A module of its own so that the models load without numpy and shapely: every Django start (a CLI call, a worker,
a report job) imports every app's models, and linking.py's imports were a sixth of that (issue #21)."""

from django.utils.translation import gettext_lazy as _

BASIS = ("id", "id, meerdere projecten", "geometrie", "geometrie, meerdere projecten")
BASIS_LABELS = {
    "id": _("BAG-id op het project"),
    "id, meerdere projecten": _("BAG-id op meer dan één project; het kleinste project gekozen"),
    "geometrie": _("ligt binnen de projectgeometrie"),
    "geometrie, meerdere projecten": _("ligt binnen meer dan één projectgeometrie; de kleinste gekozen"),
}
