"""The base of the API's serializers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ght_portal.api.etags import representation_etag

# Dates outside these years are typing mistakes (and before 1900, time zones had odd offsets).
FIRST_YEAR, LAST_YEAR = 1900, 2199


class YearRangeMixin:
    default_error_messages = {
        "year": _("L'année doit être comprise entre %(first)s et %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    }

    def to_internal_value(self, value):
        result = super().to_internal_value(value)
        if not FIRST_YEAR <= result.year <= LAST_YEAR:
            self.fail("year")
        return result


class DateField(YearRangeMixin, serializers.DateField):
    pass


class DateTimeField(YearRangeMixin, serializers.DateTimeField):
    pass


class ApiModelSerializer(serializers.ModelSerializer):
    """Dates between 1900 and 2199 only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


class GHTModelSerializer(ApiModelSerializer):
    """Every object carries its ``etag`` (ght_portal/api/etags.py). DRF's own uniqueness validators are
    left out: the models' constraints and the services decide, with their French messages, once."""

    etag = serializers.SerializerMethodField(help_text="À renvoyer dans l'en-tête If-Match pour modifier l'objet.")

    def get_etag(self, instance) -> str:
        return ""  # set by to_representation, from the rest of the representation

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["etag"] = self.make_etag(instance, data)
        return data

    def make_etag(self, instance, data) -> str:
        return representation_etag(data)

    def get_validators(self):
        return []

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A read-only field keeps ``allow_blank``, so that the schema says it may be empty ("")."""
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs
