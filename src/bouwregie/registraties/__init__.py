"""Registrations (CBS, BAG) beside the monitor (issue #18; docs/registraties.md)."""
