"""Filtering and ordering of the API's lists.

- ``GHTFilterBackend`` runs the view's django-filter FilterSet, giving it the view's extra arguments
  (the action list reuses the web list's ``ActionFilter``, which needs the GHT); an invalid filter
  answers 400 with the field's French message.
- ``StrictOrderingFilter`` sorts by ``?sort=a,-b`` among the view's ``ordering_fields``; an unknown
  field is refused (400) instead of being silently ignored, as the action list's own ``sort`` does.
- ``IdFilter``: an id to filter on (``?plan=3``). The list is already limited to the GHT, so an id of
  another GHT simply matches nothing: nothing is looked up, nothing is revealed.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter


class GHTFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), **view.filterset_kwargs()}


class StrictOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        fields = [param.strip() for param in params.split(",") if param.strip()]
        allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
        unknown = [field for field in fields if field.lstrip("-") not in allowed]
        if unknown:
            message = _(
                "Tri inconnu : %(fields)s. Tris possibles : %(allowed)s (précédés de « - » pour l'ordre inverse)."
            )
            raise exceptions.ValidationError(
                {self.ordering_param: [message % {"fields": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}]}
            )
        # The primary key last, so that pages never overlap when the chosen fields tie.
        return [*fields, "pk"]


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField
