"""Log-in by e-mail, throttling, session lifetimes, password reset and change — all in French."""

import re
import time

import pytest
from django.core import mail
from django.test import Client

from ght_portal.middleware import LOGIN_AT_KEY
from ght_portal.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.helpers import text


def login(client, email, password=PASSWORD, ip="10.0.0.1"):
    return client.post("/connexion/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_by_email_case_insensitive_lands_in_the_ght(client, ght, office):
    response = login(client, office.email.upper())
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").url == f"/{ght.slug}/"
    page = client.get(f"/{ght.slug}/")
    assert "GHT Alpha" in text(page) and "Cellule opérationnelle" in text(page)


def test_wrong_password_message_is_french(client, office):
    response = login(client, office.email, "mauvais")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in text(response)


def test_login_page_is_french_and_accessible(client, db):
    page = text(client.get("/connexion/"))
    assert '<html lang="fr">' in page
    assert 'for="id_username">Adresse e-mail' in page and "Mot de passe oublié" in page
    assert 'href="#contenu"' in page  # skip link


def test_lockout_after_repeated_failures_is_per_account_and_address(client, office, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, office.email, "mauvais")
    locked = login(client, office.email.upper())  # even the right password, whatever the case
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in text(locked) and "Réessayez dans 15 minutes" in text(locked)
    # The same account from another address is not locked: nobody can lock a director out.
    elsewhere = login(Client(), office.email, ip="10.0.0.2")
    assert elsewhere.status_code == 302


def test_session_idle_timeout_is_configured(client, office, settings):
    login(client, office.email)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST  # renewed on each request: an idle timeout


def test_absolute_timeout_logs_out(client, ght, office, settings):
    login(client, office.email)
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 1
    session.save()
    response = client.get(f"/{ght.slug}/")
    assert response.status_code == 302 and response.url == "/connexion/"
    assert client.get(f"/{ght.slug}/").status_code == 302  # really logged out


def test_login_rotates_the_session_key(client, office):
    client.get("/connexion/")
    client.session.save()
    before = client.session.session_key
    login(client, office.email)
    assert client.session.session_key != before


def test_deactivated_account_loses_access_at_next_request(client, ght, office):
    login(client, office.email)
    assert client.get(f"/{ght.slug}/").status_code == 200
    office.is_active = False
    office.save()
    response = client.get(f"/{ght.slug}/")
    assert response.status_code == 302 and response.url.startswith("/connexion/")


def test_logout_ends_the_session(client, ght, office):
    login(client, office.email)
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get(f"/{ght.slug}/").status_code == 302


def test_password_reset_by_email(client, office):
    response = client.post("/mot-de-passe/oubli/", {"email": office.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "GHT Portal — réinitialisation de votre mot de passe"
    link = re.search(r"https?://[^/]+(/mot-de-passe/reinitialiser/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in text(form_page)
    new = "Nouveau-mot-de-passe-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    office.refresh_from_db()
    assert office.check_password(new)
    assert "n'est plus valable" in text(client.get(link, follow=True))  # single use


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post("/mot-de-passe/oubli/", {"email": "inconnu@exemple.test"})
    assert response.status_code == 302 and not mail.outbox


def test_password_change_validates_in_french(client, office):
    client.force_login(office)
    response = client.post(
        "/compte/mot-de-passe/", {"old_password": PASSWORD, "new_password1": "azerty", "new_password2": "azerty"}
    )
    assert response.status_code == 200 and "trop court" in text(response)


def test_profile_update_and_phone_validation(client, ght, make_member):
    user = make_member(ght, Role.PILOT)
    client.force_login(user)
    bad = client.post("/compte/", {"full_name": "Dr Sophie Lacombe", "job_title": "Gériatre", "phone": "pas un n°"})
    assert "Numéro de téléphone invalide" in text(bad)
    good = client.post(
        "/compte/", {"full_name": "Dr Sophie Lacombe", "job_title": "Gériatre", "phone": "05 53 69 70 71"}
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.phone) == ("Dr Sophie Lacombe", "05 53 69 70 71")


def test_person_without_any_ght_is_told_what_to_do(client, db):
    user = UserFactory()
    client.force_login(user)
    assert "n'est rattaché à aucun GHT" in text(client.get("/"))


@pytest.mark.parametrize("path", ["/alpha/", "/inexistant/etablissements/"])
def test_404_page_is_french(client, ght, make_member, other_ght, path):
    client.force_login(make_member(other_ght))
    response = client.get(path)
    assert response.status_code == 404 and "Page introuvable" in text(response)


def test_500_page_is_french_and_shows_no_trace(client, db, settings):
    settings.DEBUG = False
    page = (settings.BASE_DIR / "templates" / "500.html").read_text()
    assert "Une erreur est survenue" in page and "{%" not in page


def test_security_headers(client, db):
    response = client.get("/connexion/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_forged_forwarded_for_does_not_dodge_the_lockout(client, office, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/connexion/",
            {"username": office.email, "password": "mauvais"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    locked = client.post(
        "/connexion/",
        {"username": office.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert locked.status_code == 429
