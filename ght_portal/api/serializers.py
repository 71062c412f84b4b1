"""The base of the API's serializers."""

from __future__ import annotations

from rest_framework import serializers

from ght_portal.api.etags import representation_etag


class GHTModelSerializer(serializers.ModelSerializer):
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
