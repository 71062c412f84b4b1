"""The office edits its GHT's settings and logo; the logo is served to members only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.helpers import image_bytes, text

PNG = image_bytes("PNG")

BASE = {"name": "GHT Alpha", "short_name": "Alpha", "departements": "47, 2A", "region": "NAQ"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_office_updates_settings_and_logo(office_client, ght, make_member, other_ght):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = office_client.post(f"/{ght.slug}/parametres/", {**BASE, "logo": logo})
    assert response.status_code == 302
    ght.refresh_from_db()
    assert ght.departements == ["47", "2A"] and ght.logo
    assert office_client.get(f"/{ght.slug}/logo/").status_code == 200
    outsider = Client()
    outsider.force_login(make_member(other_ght))
    assert outsider.get(f"/{ght.slug}/logo/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"departements": "47, 20"}, "n'est pas un code de département"),
        ({"logo": SimpleUploadedFile("logo.png", b"pas une image", content_type="image/png")}, "image valide"),
        ({"logo": SimpleUploadedFile("logo.gif", image_bytes("GIF"), content_type="image/gif")}, "PNG ou JPEG"),
        ({"logo": SimpleUploadedFile("logo.png", PNG + b"0" * 1_100_000, content_type="image/png")}, "1 Mo"),
        ({"region": "XX"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_settings_are_explained(office_client, ght, changes, message):
    response = office_client.post(f"/{ght.slug}/parametres/", {**BASE, **changes})
    assert response.status_code == 200 and message in text(response)
    ght.refresh_from_db()
    assert ght.departements == ["47"] and not ght.logo
