"""Validators for French identifiers typed by people or read from files."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Metropolitan départements 01–95 (20 became 2A/2B), overseas written 97x/98x or 9A–9F in FINESS.
_DEPARTEMENT_PREFIX = r"(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|9[78]|9[A-F])"
FINESS_RE = re.compile(rf"^{_DEPARTEMENT_PREFIX}[0-9]{{6}}[0-9]$")
DEPARTEMENT_RE = re.compile(r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$")


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) over the whole string, the check digit being the last one."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_finess(value: str) -> None:
    """A FINESS number: 9 characters, the département first, a Luhn check key last.

    The key is Luhn over the nine characters: published numbers such as 760780239 (CHU de Rouen),
    010003812 and 010003820 (data.gouv.fr extract) satisfy it. For Corsica (2A/2B) the letters make
    Luhn inapplicable, so only the form is checked there.
    """
    compact = value.replace(" ", "")
    if not FINESS_RE.match(compact):
        raise ValidationError(
            _(
                "Numéro FINESS invalide : 9 caractères attendus, commençant par le code du département "
                "(2A ou 2B pour la Corse), par exemple 760780239."
            ),
            code="finess_format",
        )
    if compact.isdigit() and not luhn_valid(compact):
        raise ValidationError(
            _(
                "Numéro FINESS invalide : la clé de contrôle (dernier chiffre) ne correspond pas. "
                "Vérifiez le numéro sur finess.esante.gouv.fr."
            ),
            code="finess_key",
        )


def validate_departement(value: str) -> None:
    if not DEPARTEMENT_RE.match(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un code de département (ex. 47, 76, 2A, 974)."),
            params={"value": value},
            code="departement",
        )


PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


def validate_phone(value: str) -> None:
    if not PHONE_RE.match(value):
        raise ValidationError(_("Numéro de téléphone invalide (ex. 05 53 69 70 71)."), code="phone")
