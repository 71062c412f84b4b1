"""Page-number pagination: ``?page=`` and ``?page_size=`` (up to 200), with the total count."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("Cette page n'existe pas.")
    page_query_description = _("Numéro de la page (à partir de 1).")
    page_size_query_description = _("Nombre d'éléments par page (50 par défaut, 200 au plus).")
