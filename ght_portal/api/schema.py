"""The OpenAPI schema's common parts: the error shape on every operation, ``If-Match`` on every write
to an existing object, and one tag per resource (the path segment after the GHT)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ERROR_DESCRIPTIONS = {
    "400": "Données ou paramètres invalides : les messages sont dans `errors`, par champ.",
    "401": "Non authentifié : jeton absent, inconnu ou révoqué.",
    "403": "Interdit : votre rôle ne permet pas cette opération, ou le jeton est en lecture seule.",
    "404": "Introuvable : ce GHT n'est pas le vôtre, ou l'objet n'existe pas dans ce GHT.",
    "406": "Format de réponse demandé (en-tête Accept) non disponible : seul JSON est servi.",
    "409": "Conflit avec une requête simultanée : réessayez.",
    "412": "L'objet a changé depuis votre lecture (If-Match périmé) : rien n'a été modifié.",
    "415": "Format du corps non accepté : envoyez du JSON (Content-Type: application/json).",
    "428": "En-tête If-Match manquant : envoyez l'ETag de l'objet tel que vous l'avez lu.",
    "429": "Trop de requêtes : attendez le nombre de secondes indiqué par l'en-tête Retry-After.",
}


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (ght_portal/api/errors.py)."""

    status = serializers.IntegerField(help_text="Le code HTTP.")
    code = serializers.CharField(help_text="Le type d'erreur, par exemple « invalid » ou « precondition_failed ».")
    detail = serializers.CharField(help_text="Le message, en français.")
    errors = serializers.DictField(
        child=serializers.JSONField(), help_text="Les messages par champ (non_field_errors pour les autres)."
    )


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="L'ETag de l'objet tel que vous l'avez lu (champ `etag`, ou en-tête `ETag` de sa lecture).",
)


class ApiAutoSchema(AutoSchema):
    def _is_object_write(self) -> bool:
        is_object_write = getattr(self.view, "is_object_write", None)
        return self.method not in SAFE_METHODS and bool(is_object_write and is_object_write(self.view.action))

    def get_description(self) -> str:
        """The viewset's French ``doc`` (the docstrings are for developers); ``@extend_schema(description=…)``
        replaces it for one operation."""
        return getattr(self.view, "doc", "")

    def get_tags(self) -> list[str]:
        tokens = self._tokenize_path()  # e.g. ["ghts", "actions", "followup"]: path variables removed
        return tokens[1:2] if len(tokens) > 1 else tokens[:1]

    def get_override_parameters(self):
        return [*super().get_override_parameters(), *([IF_MATCH] if self._is_object_write() else [])]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404", "406", "429", "400"]
        if self.method not in SAFE_METHODS:
            codes += ["409", "415"]
        if self._is_object_write():
            codes += ["412", "428"]
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code] = {**response, "description": ERROR_DESCRIPTIONS[code]}
        return responses
