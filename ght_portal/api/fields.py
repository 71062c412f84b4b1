"""Serializer fields that link to other rows only inside the current GHT: a crafted id of another GHT's row
is refused like a missing one.

The id of another GHT's row is refused exactly like an id that does not exist: a crafted id fails
validation instead of linking, and tells nothing about the other GHT.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from ght_portal.tenancy import member_users, scoped


class IdListField(serializers.ManyRelatedField):
    """The ids of a many-to-many relation, sorted; read from the ``<name>_ids`` annotation when the list
    query made one (no query per row), else from the relation."""

    def get_attribute(self, instance):
        ids = getattr(instance, f"{self.field_name}_ids", None)
        return ids if ids is not None else super().get_attribute(instance)

    def to_representation(self, iterable):
        return sorted(item if isinstance(item, int) else item.pk for item in iterable)


class GHTRelatedField(serializers.PrimaryKeyRelatedField):
    """A row of the current GHT, by id (``queryset`` names the model; it is scoped at validation)."""

    default_error_messages = {
        "does_not_exist": _("Aucun élément de ce GHT ne porte l'identifiant « {pk_value} »."),
        "incorrect_type": _("Un identifiant (nombre entier) est attendu, pas « {data_type} »."),
    }

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return IdListField(**list_kwargs)

    def get_queryset(self):
        return scoped(super().get_queryset(), self.context["view"].ght)


class MemberField(GHTRelatedField):
    """A person with an active membership of the current GHT (owner, contributor, pilot…), by user id."""

    default_error_messages = {
        "does_not_exist": _("La personne « {pk_value} » n'est pas membre active de ce GHT."),
    }

    def get_queryset(self):
        return member_users(self.context["view"].ght)
