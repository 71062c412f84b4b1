"""Walk every URL pattern of the project with two GHTs.

- A GHT URL asked by someone who is not a member of that GHT answers 404, and so does a URL of
  one's own GHT that carries another GHT's object id (the unscoped-lookup leak).
- Inside one's own GHT, each role gets 403 exactly where the view's declared roles exclude it.
- Every URL outside a GHT is either the platform admin or listed here on purpose.
New URLs are covered automatically; a new URL keyword needs a sample below, or the walk fails.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ght_portal.models import GHT, Establishment, Invitation, Membership, Role
from ght_portal.tenancy import GHTMixin
from tests.url_samples import build_samples

PUBLIC_OR_ACCOUNT_URLS = {
    "home",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "profile",
    "password_change",
    "password_change_done",
    "accept_invitation",
    "api_tokens",
    "api_token_revoke",
}
LOGIN_REQUIRED_URLS = {"home", "profile", "password_change", "password_change_done", "api_tokens"}


def _own_kwargs(entry) -> list[str]:
    converters = getattr(entry.pattern, "converters", None)
    return list(converters) if converters is not None else list(entry.pattern.regex.groupindex)


def iter_patterns(resolver, prefix="", namespace="", kwargs=()):
    """(route, namespace, pattern, URL keywords) for every leaf pattern, parents' keywords included."""
    for entry in resolver.url_patterns:
        names = (*kwargs, *_own_kwargs(entry))
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns, names)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry, names


def tenant_patterns():
    return [entry for entry in iter_patterns(get_resolver()) if entry[0].startswith("<slug:ght_slug>/")]


def build_url(entry, samples: dict) -> str:
    route, namespace, pattern, names = entry
    missing = [name for name in names if name not in samples]
    if missing:
        pytest.fail(f"URL {route!r}: add a sample object for {missing} in tests/url_samples.py")
    return reverse(namespace + pattern.name, kwargs={name: samples[name] for name in names})


def declared_roles(pattern: URLPattern, method: str) -> frozenset[str]:
    view_class = getattr(pattern.callback, "view_class", None)
    assert view_class is not None and issubclass(view_class, GHTMixin), (
        f"{pattern.name}: every GHT URL must be served by a GHTMixin view"
    )
    return view_class(**pattern.callback.view_initkwargs).allowed_roles(method)


@pytest.fixture
def two_ghts(db, ght, other_ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    members = {role: make_member(ght, role) for role in Role.values}
    other_members = {role: make_member(other_ght, role) for role in Role.values}
    return {
        "own": build_samples(ght, members),
        "other": build_samples(other_ght, other_members),
        "members": members,
    }


def test_walk_covers_every_ght_url():
    names = {entry[2].name for entry in tenant_patterns()}
    assert {"ght_home", "establishment_list", "member_list", "member_update", "invitation_revoke"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_ght_urls_answer_404(client, two_ghts, method):
    """An office member of the first GHT (the strongest role) reaches nothing of the second one."""
    client.force_login(two_ghts["members"][Role.OFFICE])
    for entry in tenant_patterns():
        url = build_url(entry, two_ghts["other"])
        assert getattr(client, method)(url).status_code == 404, f"{method.upper()} {url}"

        # Own GHT slug, other GHT's object ids: still 404 (the lookup is scoped inside the query).
        mixed = {**two_ghts["other"], "ght_slug": two_ghts["own"]["ght_slug"]}
        allowed = {m.upper() for m in entry[2].callback.view_class.http_method_names}
        if len(entry[3]) > 1 and method.upper() in allowed:
            url = build_url(entry, mixed)
            assert getattr(client, method)(url).status_code == 404, f"{method.upper()} {url} (mixed)"


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("method", ["get", "post"])
def test_roles_get_403_exactly_where_not_allowed(client, two_ghts, role, method):
    client.force_login(two_ghts["members"][role])
    for entry in tenant_patterns():
        pattern = entry[2]
        view_class = pattern.callback.view_class
        if method.upper() not in {m.upper() for m in view_class.http_method_names}:
            continue
        url = build_url(entry, two_ghts["own"])
        status = getattr(client, method)(url).status_code
        if role in declared_roles(pattern, method.upper()):
            assert status not in (403, 404) and status < 500, f"{role} {method.upper()} {url} → {status}"
        else:
            assert status == 403, f"{role} {method.upper()} {url} → {status}, expected 403"


def test_deactivated_membership_gets_404(client, two_ghts, ght):
    user = two_ghts["members"][Role.OFFICE]
    client.force_login(user)
    assert client.get(f"/{ght.slug}/").status_code == 200
    Membership.objects.filter(user=user, ght=ght).update(is_active=False)
    assert client.get(f"/{ght.slug}/").status_code == 404


def test_urls_outside_a_ght_are_known(client, db):
    for route, namespace, pattern, _names in iter_patterns(get_resolver()):
        if route.startswith("<slug:ght_slug>/") or namespace.startswith("admin:") or route.startswith("admin/"):
            continue
        if route.startswith("api/"):
            continue  # walked by tests/test_api_url_walk.py
        assert pattern.name in PUBLIC_OR_ACCOUNT_URLS, f"{route!r} is outside any GHT: scope it or list it here"


def test_account_urls_require_login(client, db):
    for name in LOGIN_REQUIRED_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_admin_is_for_platform_staff_only(client, two_ghts):
    client.force_login(two_ghts["members"][Role.OFFICE])
    for url in ["/admin/", "/admin/ght_portal/ght/", "/admin/ght_portal/user/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url


def test_every_tenant_model_row_carries_its_ght(db):
    """Tenant tables have a non-null ght column, so every query can filter on it."""
    for model in (Establishment, Membership, Invitation):
        field = model._meta.get_field("ght")
        assert not field.null and field.related_model is GHT
