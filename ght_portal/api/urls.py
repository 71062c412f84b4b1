"""Routes of the API, mounted at /api/ (ght_portal/urls.py): /api/v1/…, the schema and its documentation.

Each app lists its resources in its ``api`` module (``ROUTES``: URL prefix, viewset, route name);
every one of them lives under ``v1/ghts/<ght_slug>/``.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from rest_framework.routers import SimpleRouter

from actions import api as actions_api
from filieres import api as filieres_api
from ght_portal.api import views
from ght_portal.api.docs import DocsView, SchemaView
from governance import api as governance_api
from governance.checkpoints import api as checkpoint_api
from reports import api as reports_api

ROUTES = [
    ("establishments", views.EstablishmentViewSet, "establishment"),
    ("members", views.MemberViewSet, "member"),
    ("invitations", views.InvitationViewSet, "invitation"),
    *actions_api.ROUTES,
    *filieres_api.ROUTES,
    *governance_api.ROUTES,
    *checkpoint_api.ROUTES,
    *reports_api.ROUTES,
]


def _router(routes) -> SimpleRouter:
    router = SimpleRouter(use_regex_path=False)
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    return router


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other address under /api/: the API's 404, in its JSON shape."""
    message = _("Cette adresse n'existe pas dans l'API : voyez la documentation, /api/docs/.")
    return JsonResponse({"status": 404, "code": "not_found", "detail": message, "errors": {}}, status=404)


app_name = "api"

urlpatterns = [
    path("v1/", include(_router([("ghts", views.GHTViewSet, "ght")]).urls)),
    path("v1/ghts/<slug:ght_slug>/", include(_router(ROUTES).urls)),
]
# Outside the namespace: the schema and its page are not resources.
documentation_patterns = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", DocsView.as_view(), name="api_docs"),
    re_path(r"^.*$", not_found, name="api_not_found"),
]
