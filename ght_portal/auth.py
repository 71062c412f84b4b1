"""Authentication helpers."""


def axes_username(request, credentials) -> str | None:
    """The typed e-mail, folded like our logins are: case variants cannot dodge the lockout."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower() or None
