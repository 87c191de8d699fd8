from django.apps import AppConfig


class RegistratiesConfig(AppConfig):
    """Registrations (BAG, CBS) beside the monitor: linking BAG objects to projects and the flags per project
    (issue #18). Pure domain functions; the BAG and CBS storage live in their own apps."""

    name = "bouwregie.registraties"
    label = "registraties"
