"""The API's schema (OpenAPI 3, /api/schema/) and its documentation page (/api/docs/, Swagger UI).

Swagger UI's files come from drf-spectacular-sidecar, served as our own static files; the page is the
"split" variant (its start-up script is a separate file), so it runs under the CSP without exception.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    """Public, like any API description: it holds no data of any GHT."""

    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    template_name = "api/docs.html"
    url_name = "api_schema"
    title = "GHT Portal — documentation de l'API"
