"""Journeys through the real UI: Debian's chromium driven by Playwright against the live server.

Elements are found as a person finds them: by role, label and French text. Mails are sent eagerly
(conftest) by the live server's thread, which runs in this process, so they land in mail.outbox.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from ght_portal.models import GHT, Invitation, Membership, Role, User
from tests.browser import NEW_PASSWORD, SHOTS, field, ght_nav, header, log_in, role_badge
from tests.factories import EstablishmentFactory, GHTFactory, MembershipFactory

pytestmark = pytest.mark.browser


def invite(page: Page, email: str, full_name: str, role_label: str) -> None:
    field(page, "Adresse e-mail").fill(email)
    field(page, "Nom complet").fill(full_name)
    field(page, "Rôle").select_option(label=role_label)
    page.get_by_role("button", name="Envoyer l'invitation").click()


def test_office_invites_a_person_who_creates_an_account(new_page, live_server, settings, ght, office):
    settings.SITE_URL = live_server.url  # the link in the mail must point at this server
    page = new_page()
    log_in(page, office)
    expect(page).to_have_url(f"{live_server.url}/alpha/")
    expect(header(page)).to_contain_text("GHT Alpha")
    expect(role_badge(page, "Cellule opérationnelle")).to_be_visible()

    ght_nav(page).get_by_role("link", name="Membres").click()
    expect(page.get_by_role("heading", name="Membres du GHT")).to_be_visible()
    page.get_by_role("link", name="Inviter une personne").click()
    invite(page, "paul.pilote@exemple.test", "Paul Pilote", "Pilote de filière")

    expect(page).to_have_url(f"{live_server.url}/alpha/membres/")
    expect(page.get_by_role("status").first).to_contain_text("Invitation envoyée à paul.pilote@exemple.test.")
    expect(page.get_by_role("row").filter(has_text="paul.pilote@exemple.test")).to_contain_text("en attente")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "members.png"), full_page=True)

    assert len(mail.outbox) == 1, "the invitation mail was not sent (on_commit in the live server's thread?)"
    message = mail.outbox[0]
    assert message.to == ["paul.pilote@exemple.test"]
    assert message.subject == "Invitation à rejoindre le GHT Alpha sur GHT Portal"
    link = re.search(r"https?://\S+/invitation/[\w-]+/", message.body).group(0)
    assert link.startswith(live_server.url)

    guest = new_page()
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Rejoindre le GHT Alpha")).to_be_visible()
    expect(field(guest, "Nom complet")).to_have_value("Paul Pilote")
    field(guest, "Nom complet").fill("Paul Pilote-Durand")
    field(guest, "Mot de passe").fill(NEW_PASSWORD)
    field(guest, "Confirmation du mot de passe").fill(NEW_PASSWORD)
    guest.get_by_role("button", name="Créer mon compte").click()

    expect(guest).to_have_url(f"{live_server.url}/alpha/")
    expect(guest.get_by_text("Bienvenue dans GHT Alpha.")).to_be_visible()
    expect(header(guest)).to_contain_text("Paul Pilote-Durand")
    expect(role_badge(guest, "Pilote de filière")).to_be_visible()
    user = User.objects.get(email="paul.pilote@exemple.test")
    assert user.full_name == "Paul Pilote-Durand"
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user).role == Role.PILOT
    assert Invitation.objects.get(email="paul.pilote@exemple.test").accepted_at is not None


def test_invitation_form_refuses_a_bad_address_and_an_existing_member(new_page, live_server, ght, office, reader):
    page = new_page()
    log_in(page, office)
    page.goto("/alpha/membres/inviter/")

    invite(page, "pas-une-adresse", "Quelqu'un", "Lecteur")
    expect(page.get_by_role("alert").first).to_contain_text("Le formulaire contient des erreurs")
    expect(page.get_by_text("Saisissez une adresse e-mail valide.")).to_be_visible()
    expect(field(page, "Adresse e-mail")).to_have_value("pas-une-adresse")

    invite(page, reader.email.upper(), "Louis Lecteur", "Lecteur")
    expect(page.get_by_text("Cette personne est déjà membre de ce GHT.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/alpha/membres/inviter/")

    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_member_of_two_ghts_chooses_then_switches(new_page, live_server, ght, other_ght, make_member):
    page = new_page()
    person = make_member(ght, Role.DIRECTOR, full_name="Diane Directrice")
    MembershipFactory(ght=other_ght, user=person, role=Role.READER)
    stranger_ght = GHTFactory(name="GHT Gamma", short_name="Gamma", slug="gamma")
    EstablishmentFactory(ght=stranger_ght, name="CH Gamma", role="support")

    log_in(page, person)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Choisissez un GHT")).to_be_visible()
    page.get_by_role("link", name="GHT Alpha").click()
    expect(page).to_have_url(f"{live_server.url}/alpha/")
    expect(role_badge(page, "Direction / membre d'instance")).to_be_visible()

    header(page).get_by_text("Changer de GHT").click()
    header(page).get_by_role("link", name=re.compile(r"^GHT Bêta")).click()
    expect(page).to_have_url(f"{live_server.url}/beta/")
    expect(header(page)).to_contain_text("GHT Bêta")
    expect(role_badge(page, "Lecteur")).to_be_visible()

    response = page.goto("/gamma/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("GHT Gamma")
    assert GHT.objects.filter(slug="gamma").exists()


def test_reader_is_refused_members_page_then_logs_out(new_page, live_server, ght, reader):
    page = new_page()
    log_in(page, reader)
    response = page.goto("/alpha/membres/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Action non autorisée")).to_be_visible()
    expect(ght_nav(page).get_by_role("link", name="Membres")).to_have_count(0)

    header(page).get_by_text(reader.full_name).click()
    header(page).get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{live_server.url}/connexion/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "login.png"), full_page=True)
    page.goto("/alpha/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/alpha/$"))


def test_office_changes_a_role_inline_without_reloading(new_page, live_server, ght, office, reader):
    page = new_page()
    log_in(page, office)
    page.goto("/alpha/membres/")
    row = page.get_by_role("row").filter(has_text=reader.email)
    page.evaluate("window.__sansRechargement = 'oui'")

    field(row, f"Rôle de {reader.full_name}").select_option(label="Pilote de filière")
    row.get_by_role("button", name="Changer", exact=True).click()

    expect(row.get_by_role("status")).to_have_text(f"{reader.full_name} est maintenant : Pilote de filière.")
    assert page.evaluate("window.__sansRechargement") == "oui", "the whole page was reloaded"
    expect(field(row, f"Rôle de {reader.full_name}")).to_have_value(Role.PILOT)
    assert Membership.objects.get(user=reader, ght=ght).role == Role.PILOT


def test_refused_inline_change_shows_why(new_page, live_server, ght, office):
    page = new_page()
    log_in(page, office)
    page.goto("/alpha/membres/")
    row = page.get_by_role("row").filter(has_text=office.email)
    field(row, f"Rôle de {office.full_name}").select_option(label="Lecteur")
    with page.expect_response(re.compile(r"/alpha/membres/\d+/$")) as response:
        row.get_by_role("button", name="Changer", exact=True).click()
    assert response.value.status == 422
    expect(row.get_by_role("alert")).to_have_text(
        "Le GHT doit garder au moins une personne active dans la cellule opérationnelle.", timeout=2_000
    )
    expect(field(row, f"Rôle de {office.full_name}")).to_have_value(Role.OFFICE)
    assert Membership.objects.get(user=office, ght=ght).role == Role.OFFICE


def test_pilot_updates_an_action_inline_and_finds_it_in_its_history(new_page, live_server, ght, make_member):
    """Issue 3's pilot journey: Mes actions → filter → inline status and progress → action page history."""
    from actions.models import Action, Plan
    from filieres.models import Pilot
    from filieres.services import add_pilot
    from tests.factories import ActionFactory, AxisFactory, FiliereFactory, ObjectiveFactory, PlanFactory

    office = make_member(ght, Role.OFFICE)
    pilot = make_member(ght, Role.PILOT, full_name="Sophie Lacombe")
    geriatrie = FiliereFactory(ght=ght, name="Gériatrie", code="GER")
    add_pilot(
        acting_user=office, filiere=geriatrie, user=pilot, establishment=None, pilot_role=Pilot.PilotRole.CH_DOCTOR
    )
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan), filiere=geriatrie)
    mobile = ActionFactory(
        objective=objective,
        code="GER-1",
        title="Équipes mobiles de gériatrie",
        status=Action.Status.TO_START,
        progress=0,
    )
    mobile.filieres.add(geriatrie)
    other = ActionFactory(
        objective=objective, code="GER-2", title="Filière courte hors sujet", status=Action.Status.DONE, progress=100
    )
    other.filieres.add(geriatrie)

    page = new_page()
    log_in(page, pilot)
    ght_nav(page).get_by_role("link", name="Mes actions").click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="GER-2")).to_have_count(1)

    filters = page.get_by_role("search", name="Filtrer les actions")
    field(filters, "Statut").select_option(label="À lancer")
    filters.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"status=a_lancer"))  # the filtered view can be bookmarked
    expect(rows.filter(has_text="GER-2")).to_have_count(0)
    row = rows.filter(has_text="GER-1")
    page.evaluate("window.__sansRechargement = 'oui'")
    row.get_by_label("Nouveau statut de GER-1").select_option(label="En cours")
    row.get_by_label("Nouvel avancement de GER-1 (%)").fill("40")
    row.get_by_role("button", name="Enregistrer GER-1").click()
    expect(page.locator(f"#action-{mobile.pk}").get_by_role("status")).to_be_visible()
    assert page.evaluate("window.__sansRechargement") == "oui", "the whole page was reloaded"
    mobile.refresh_from_db()
    assert (mobile.status, mobile.progress) == (Action.Status.IN_PROGRESS, 40)

    page.locator(f"#action-{mobile.pk}").get_by_role("link", name="Équipes mobiles de gériatrie").click()
    history = page.locator("#historique + *")
    expect(history).to_contain_text("Sophie Lacombe")
    expect(history).to_contain_text("En cours")
    expect(history).to_contain_text("40")
