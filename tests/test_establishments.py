"""Establishments of a GHT: kinds, roles, FINESS, one support establishment."""

import pytest

from ght_portal.models import Establishment
from tests.factories import EstablishmentFactory
from tests.helpers import text

VALID = {
    "name": "CH de Fumel",
    "kind": "proximite",
    "town": "Fumel",
    "role": "member",
    "finess_juridique": "760780239",
    "finess_geographique": "",
    "is_active": "on",
}


def test_reader_sees_the_list_without_edit_links(reader_client, ght):
    response = reader_client.get(f"/{ght.slug}/etablissements/")
    assert response.status_code == 200
    assert "CH Alpha" in text(response) and "Ajouter un établissement" not in text(response)


def test_office_creates_an_establishment(office_client, ght):
    response = office_client.post(f"/{ght.slug}/etablissements/nouveau/", VALID)
    assert response.status_code == 302
    created = Establishment.objects.get(name="CH de Fumel")
    assert created.ght == ght and created.finess_juridique == "760780239"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"finess_juridique": "760780238"}, "la clé de contrôle"),
        ({"finess_geographique": "12345"}, "9 caractères attendus"),
        ({"name": "ch alpha"}, "porte déjà ce nom"),
        ({"role": "support"}, "CH Alpha est déjà l'établissement support"),
        ({"town": ""}, "Ce champ est obligatoire"),
        ({"kind": "chateau"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(office_client, ght, changes, message):
    response = office_client.post(f"/{ght.slug}/etablissements/nouveau/", {**VALID, **changes})
    assert response.status_code == 200
    assert message in text(response)
    assert Establishment.objects.filter(ght=ght).count() == 1


def test_same_finess_geographique_twice_in_a_ght_is_refused(office_client, ght):
    EstablishmentFactory(ght=ght, name="Site A", finess_geographique="010003820")
    response = office_client.post(f"/{ght.slug}/etablissements/nouveau/", {**VALID, "finess_geographique": "010003820"})
    assert "déjà utilisé dans ce GHT" in text(response)


def test_same_name_in_another_ght_is_fine(office_client, ght, other_ght):
    response = office_client.post(f"/{ght.slug}/etablissements/nouveau/", {**VALID, "name": "CH Bêta"})
    assert response.status_code == 302


def test_office_edits_and_deactivates(office_client, ght):
    establishment = EstablishmentFactory(ght=ght, name="CH Ancien")
    data = {**VALID, "name": "CH Ancien", "finess_juridique": ""}
    data.pop("is_active")
    response = office_client.post(f"/{ght.slug}/etablissements/{establishment.pk}/modifier/", data)
    assert response.status_code == 302
    establishment.refresh_from_db()
    assert not establishment.is_active


def test_support_establishment_comes_first_and_inactive_last(reader_client, ght):
    EstablishmentFactory(ght=ght, name="Association Aval", role="partner")
    EstablishmentFactory(ght=ght, name="AAA Fermé", role="member", is_active=False)
    EstablishmentFactory(ght=ght, name="CH Zèbre", role="member")
    names = [e.name for e in reader_client.get(f"/{ght.slug}/etablissements/").context["establishments"]]
    assert names == ["CH Alpha", "CH Zèbre", "Association Aval", "AAA Fermé"]
