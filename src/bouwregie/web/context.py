"""What every page's navigation needs to know about the visitor (from the one policy)."""

from bouwregie.accounts import policy


def navigation(request) -> dict:
    return {"may_read_projects": policy.can_read_projects(policy.principal_for(getattr(request, "user", None)))}
