import pytest
from django.core.exceptions import ValidationError

from ght_portal.validators import luhn_valid, validate_departement, validate_finess


@pytest.mark.parametrize("finess", ["760780239", "010003812", "010003820", "76 078 023 9", "2A0000017"])
def test_real_finess_numbers_are_accepted(finess):
    validate_finess(finess)


@pytest.mark.parametrize(
    ("finess", "code"),
    [
        ("760780238", "finess_key"),  # last digit changed
        ("76078023", "finess_format"),  # 8 characters
        ("7607802390", "finess_format"),  # 10 characters
        ("200000000", "finess_format"),  # département 20 no longer exists
        ("00A780239", "finess_format"),
        ("ABCDEFGHI", "finess_format"),
    ],
)
def test_bad_finess_numbers_are_refused_with_a_french_reason(finess, code):
    with pytest.raises(ValidationError) as error:
        validate_finess(finess)
    assert error.value.code == code
    assert "FINESS invalide" in str(error.value.message)


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


@pytest.mark.parametrize("code", ["47", "76", "2A", "2B", "974", "01", "95"])
def test_departements(code):
    validate_departement(code)


@pytest.mark.parametrize("code", ["20", "00", "96", "977", "4", "ABC"])
def test_bad_departements(code):
    with pytest.raises(ValidationError):
        validate_departement(code)
