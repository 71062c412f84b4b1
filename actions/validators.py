"""Validators for the plan's references to the regional health plan (PRS)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Engagement, défi, objectif opérationnel of the schéma territorial de santé, e.g. "E1D2O1".
PRS_REFERENCE_RE = re.compile(r"^E[0-9]+D[0-9]+O[0-9]+$")


def validate_prs_reference(value: str) -> None:
    if not PRS_REFERENCE_RE.match(value):
        raise ValidationError(
            _(
                "« %(value)s » n'est pas une référence d'objectif du PRS : attendu E (engagement), "
                "D (défi) et O (objectif opérationnel) suivis de leur numéro, par exemple E1D2O1."
            ),
            params={"value": value},
            code="prs_reference",
        )
