"""One JSON shape for every error of the API, with French messages:

    {"status": 412, "code": "precondition_failed", "detail": "…", "errors": {"champ": ["…"]}}

``errors`` holds the messages per field (``non_field_errors`` for the others) and is empty when the
error is not about the data sent. The refusals of the services (Django ``ValidationError``,
``PermissionDenied``, ``StaleWriteError``) are turned into their HTTP answers here, once. Anything
else is a bug and stays a 500 (logged by Django): no catch-all.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ght_portal.errors import StaleWriteError

logger = logging.getLogger(__name__)

NOT_FOUND = _("Introuvable : cet objet n'existe pas dans ce GHT, ou ce GHT n'est pas le vôtre.")
INVALID_DATA = _("Les données envoyées ne sont pas valides : corrigez les champs signalés.")


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = _(
        "Cette modification doit porter l'en-tête If-Match avec l'ETag de l'objet tel que vous l'avez lu "
        "(il évite d'écraser la modification de quelqu'un d'autre)."
    )


class PreconditionFailed(exceptions.APIException):
    """The object changed since the caller read it; ``etag`` is its current ETag (sent back in a header)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = _(
        "Cet objet a été modifié depuis que vous l'avez lu : rien n'a été enregistré. Relisez-le, puis recommencez."
    )

    def __init__(self, detail=None, *, etag: str = ""):
        super().__init__(detail)
        self.etag = etag


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _("Une autre requête a modifié les mêmes données au même moment : réessayez.")


def service_errors(error: DjangoValidationError) -> dict:
    """A service's ValidationError as ``{field: [messages]}``, its non-field messages under non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def _translate(exc):
    """Django and service exceptions → DRF's (whose handler gives the status and headers)."""
    if isinstance(exc, StaleWriteError):  # says who changed what since (views add the current ETag)
        return PreconditionFailed(exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(service_errors(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound(NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        # A unique rule broken by a concurrent request between the service's check and its insert.
        logger.warning("API write refused by a database constraint: %s", exc)
        return Conflict()
    return exc


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django answers 500 and logs it
    errors: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = str(INVALID_DATA)
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        code = "invalid"
    else:
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(INVALID_DATA)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    if isinstance(exc, PreconditionFailed) and exc.etag:
        response["ETag"] = exc.etag
    response.data = {"status": response.status_code, "code": code, "detail": detail, "errors": errors}
    response.content_type = "application/json"  # whatever was asked for (e.g. a PDF), an error is JSON
    return response
