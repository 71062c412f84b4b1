"""Page-number pagination: ``?page=`` (from 1) and ``?page_size=`` (1 to 200, 50 by default), with the count.

A ``page_size`` that is not such a number is refused (400), as every other bad parameter is, rather
than silently replaced by the default.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("Cette page n'existe pas.")
    page_query_description = _("Numéro de la page (à partir de 1).")
    page_size_query_description = _("Nombre d'éléments par page (50 par défaut, 200 au plus).")

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdecimal() or not 1 <= int(value) <= self.max_page_size:
            message = _("Donnez un nombre entier entre 1 et %(max)s.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
