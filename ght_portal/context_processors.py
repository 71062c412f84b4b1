"""What every page shows of the tenancy: the current GHT, the role, and the GHTs to switch to."""

from django.utils.functional import SimpleLazyObject

from ght_portal.tenancy import user_memberships


def tenancy(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_ght": getattr(request, "ght", None),
        "current_membership": getattr(request, "membership", None),
        # Evaluated only by templates that show the switcher: one query, the GHTs loaded with it.
        "user_memberships": SimpleLazyObject(lambda: list(user_memberships(user))),
    }
