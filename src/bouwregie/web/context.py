"""What every page's navigation needs to know about the visitor (from the one policy): links to pages the
visitor may not open are not shown (issue #19: no dead ends)."""

from bouwregie.accounts import policy


def navigation(request) -> dict:
    who = policy.principal_for(getattr(request, "user", None))
    return {
        "may_read_projects": policy.can_read_projects(who),
        "may_submit_wbi": policy.can_submit_any_wbi(who),
        "may_assess_wbi": policy.can_assess_wbi(who),
        "may_read_sok": _may_read_sok(who),
    }


def _may_read_sok(who: policy.Principal) -> bool:
    if who.anonymous or not (who.seats or who.superuser):
        return False
    from bouwregie.sok.models import Party

    return policy.can_read_sok(who, set(Party.objects.values_list("province", flat=True)))
