"""Every write of the action pages, by each role; bad input refused in French with nothing written;
and no lost update when two people edit the same action."""

import pytest
from django.test import Client

from actions.models import Action, ActionUpdate
from ght_portal.models import Role
from tests import test_actions_pages as pages
from tests.factories import AxisFactory, FiliereFactory, MembershipFactory, ObjectiveFactory, PlanFactory, UserFactory
from tests.helpers import text

# The same world as the read tests (an active plan, two filières, a member of each role).
world = pages.world
login = pages.login
url = pages.url


def action_data(world, **overrides) -> dict:
    data = {
        "code": "GER-9",
        "title": "Créer une astreinte gériatrique de territoire",
        "description": "Une ligne unique pour les médecins généralistes.",
        "objective": world["objective"].pk,
        "filieres": [world["geriatrie"].pk],
        "lead_establishment": world["hopital"].pk,
        "establishments": [world["hopital"].pk],
        "owner": world["members"][Role.OWNER].pk,
        "contributors": [world["members"][Role.PILOT].pk],
        "priority": "haute",
        "start_date": "2025-01-01",
        "due_date": "2026-06-30",
        "status": "a_lancer",
        "health": "on_track",
        "progress": "0",
        "prs_references": "E1D2O1, E2D1O3",
        "funding_source": "fir",
        "funding_amount": "12000",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(action: Action, **overrides) -> dict:
    data = {
        "code": action.code,
        "title": action.title,
        "description": action.description,
        "objective": action.objective_id,
        "filieres": [f.pk for f in action.filieres.all()],
        "owner": action.owner_id or "",
        "priority": action.priority,
        "status": action.status,
        "health": action.health,
        "progress": action.progress,
        "prs_references": ", ".join(action.prs_references),
        "version": action.version,
    }
    if action.due_date:
        data["due_date"] = action.due_date.isoformat()
    data.update(overrides)
    return data


def followup_data(action: Action, prefix="", **overrides) -> dict:
    data = {
        "status": "en_cours",
        "health": "at_risk",
        "progress": "55",
        "text": "Recrutement de l'infirmière de coordination en cours.",
        "version": action.version,
    }
    data.update(overrides)
    return {f"{prefix}-{key}" if prefix else key: value for key, value in data.items()}


# --- Create -----------------------------------------------------------------------------------------


def test_office_creates_an_action_with_every_field(login, ght, world):
    response = login(Role.OFFICE).post(url("action_create", ght), action_data(world))
    action = Action.objects.get(code="GER-9")
    assert response.status_code == 302 and response.url == url("action_detail", ght, action_id=action.pk)
    assert action.plan == world["plan"] and action.ght == ght and action.version == 1
    assert list(action.filieres.all()) == [world["geriatrie"]]
    assert list(action.contributors.all()) == [world["members"][Role.PILOT]]
    assert action.prs_references == ["E1D2O1", "E2D1O3"]
    assert action.history.get().history_user == world["members"][Role.OFFICE]


def test_a_pilot_creates_only_in_their_filieres(login, ght, world):
    client = login(Role.PILOT)
    form = client.get(url("action_create", ght)).context["form"]
    assert list(form.fields["filieres"].queryset) == [world["geriatrie"]]
    refused = client.post(url("action_create", ght), action_data(world, filieres=[world["psy"].pk]))
    assert refused.status_code == 422
    assert "Sélectionnez un choix valide" in text(refused)
    # No filière at all, under an objective of no filière: still outside their filières.
    outside = action_data(world, filieres=[], objective=world["urgences"].objective_id)
    refused = client.post(url("action_create", ght), outside)
    assert "au moins une des filières que vous pilotez" in text(refused)
    assert not Action.objects.filter(code="GER-9").exists()
    assert client.post(url("action_create", ght), action_data(world)).status_code == 302
    assert Action.objects.filter(code="GER-9").exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.DIRECTOR, Role.READER])
def test_other_roles_cannot_create(login, ght, world, role):
    client = login(role)
    assert client.get(url("action_create", ght)).status_code == 403
    assert client.post(url("action_create", ght), action_data(world)).status_code == 403
    assert not Action.objects.filter(code="GER-9").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"progress": "150"}, "progress", "inférieure ou égale à 100"),
        ({"due_date": "2024-01-01"}, "due_date", "L'échéance ne peut pas précéder la date de début."),
        ({"code": "GER-1"}, "code", "Une action porte déjà ce code dans ce projet."),
        ({"prs_references": "E1D2"}, "prs_references", ""),
        ({"funding_amount": "-5"}, "funding_amount", "supérieure ou égale à 0"),
        ({"title": ""}, "title", "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_in_french(login, ght, world, overrides, field, message):
    before = Action.objects.count()
    response = login(Role.OFFICE).post(url("action_create", ght), action_data(world, **overrides))
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors and errors
    assert Action.objects.count() == before


def test_choices_of_another_plan_or_ght_are_refused(login, ght, other_ght, world):
    foreign_owner = UserFactory()
    MembershipFactory(ght=other_ght, user=foreign_owner, role=Role.OWNER)
    crafted = {
        "objective": world["old"].objective_id,  # another plan of the same GHT
        "owner": foreign_owner.pk,
        "filieres": [FiliereFactory(ght=other_ght).pk],
        "lead_establishment": other_ght.establishments.get().pk,
        "contributors": [foreign_owner.pk],
        "establishments": [other_ght.establishments.get().pk],
    }
    before = Action.objects.count()
    for field, value in crafted.items():
        response = login(Role.OFFICE).post(url("action_create", ght), action_data(world, **{field: value}))
        assert response.status_code == 422, field
        assert "Sélectionnez un choix valide" in " ".join(response.context["form"].errors[field]), field
    objective_elsewhere = ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght)))
    response = login(Role.OFFICE).post(url("action_create", ght), action_data(world, objective=objective_elsewhere.pk))
    assert "objective" in response.context["form"].errors
    assert Action.objects.count() == before


# --- Edit -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action_key", "expected"),
    [
        (Role.OFFICE, "urgences", 302),
        (Role.PILOT, "mobile", 302),  # their filière
        (Role.PILOT, "urgences", 403),  # another filière, even though they own it
        (Role.OWNER, "mobile", 403),  # owners update the follow-up only
        (Role.DIRECTOR, "mobile", 403),
        (Role.READER, "mobile", 403),
    ],
)
def test_edit_by_role(login, ght, world, role, action_key, expected):
    action = world[action_key]
    client = login(role)
    assert client.get(url("action_update", ght, action_id=action.pk)).status_code in {expected, 200}
    response = client.post(url("action_update", ght, action_id=action.pk), edit_data(action, title="Nouveau titre"))
    assert response.status_code == expected
    action.refresh_from_db()
    assert (action.title == "Nouveau titre") is (expected == 302)
    assert action.version == (2 if expected == 302 else 1)


def test_a_pilot_cannot_move_an_action_out_of_their_filieres(login, ght, world):
    action = world["mobile"]
    other_objective = world["urgences"].objective
    data = edit_data(action, filieres=[], objective=other_objective.pk)
    response = login(Role.PILOT).post(url("action_update", ght, action_id=action.pk), data)
    assert response.status_code == 422
    assert "au moins une des filières que vous pilotez" in text(response)
    action.refresh_from_db()
    assert action.objective == world["objective"] and action.version == 1


def test_edit_of_another_ght_action_is_404(login, ght, other_ght, world):
    from tests.factories import ActionFactory

    foreign = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght))))
    client = login(Role.OFFICE)
    assert client.get(url("action_update", ght, action_id=foreign.pk)).status_code == 404
    assert client.post(url("action_quick_update", ght, action_id=foreign.pk), {}).status_code == 404


# --- No lost update -------------------------------------------------------------------------------


def test_second_save_is_refused_and_shows_what_the_other_changed(ght, world):
    action = world["mobile"]
    office, pilot = Client(), Client()
    office.force_login(world["members"][Role.OFFICE])
    pilot.force_login(world["members"][Role.PILOT])
    # Both open the edit page on version 1.
    office_form = office.get(url("action_update", ght, action_id=action.pk)).context["form"]
    pilot.get(url("action_update", ght, action_id=action.pk))
    assert office_form["version"].value() == 1
    # The pilot saves first.
    first = pilot.post(url("action_update", ght, action_id=action.pk), edit_data(action, status="suspendue"))
    assert first.status_code == 302
    # The office saves what it saw: refused, its input kept, the pilot's change shown.
    stale = office.post(url("action_update", ght, action_id=action.pk), edit_data(action, title="Titre du bureau"))
    assert stale.status_code == 422
    page = text(stale)
    assert "modifiée par quelqu'un d'autre" in page
    assert "Personne pilot" in page and "Statut : En cours → Suspendue" in page
    assert 'value="Titre du bureau"' in page
    action.refresh_from_db()
    assert action.title != "Titre du bureau" and action.status == "suspendue" and action.version == 2
    # The form now carries the current version: saving again is a decision taken knowingly.
    assert stale.context["form"]["version"].value() == "2"
    again = office.post(
        url("action_update", ght, action_id=action.pk), edit_data(action, title="Titre du bureau", version=2)
    )
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.title == "Titre du bureau" and action.version == 3


def test_stale_followup_is_refused_too(ght, world):
    action = world["mobile"]
    owner, office = Client(), Client()
    owner.force_login(world["members"][Role.OWNER])
    office.force_login(world["members"][Role.OFFICE])
    assert office.post(url("action_followup", ght, action_id=action.pk), followup_data(action)).status_code == 302
    stale = owner.post(url("action_followup", ght, action_id=action.pk), followup_data(action, progress="90"))
    assert stale.status_code == 422
    assert "Avancement (%) : 40 → 55" in text(stale)
    action.refresh_from_db()
    assert action.progress == 55 and action.updates.count() == 1


# --- Follow-up and comments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "action_key", "allowed"),
    [
        (Role.OFFICE, "mobile", True),
        (Role.PILOT, "mobile", True),
        (Role.PILOT, "urgences", True),  # owns it
        (Role.OWNER, "mobile", True),
        (Role.OWNER, "urgences", False),
        (Role.DIRECTOR, "mobile", False),
        (Role.READER, "mobile", False),
    ],
)
def test_followup_by_role(login, ght, world, role, action_key, allowed):
    action = world[action_key]
    client = login(role)
    assert client.get(url("action_followup", ght, action_id=action.pk)).status_code == (200 if allowed else 403)
    response = client.post(url("action_followup", ght, action_id=action.pk), followup_data(action))
    assert response.status_code == (302 if allowed else 403)
    action.refresh_from_db()
    if allowed:
        update = action.updates.get()
        assert (update.status, update.health, update.progress) == ("en_cours", "at_risk", 55)
        assert update.author == world["members"][role] and update.text.startswith("Recrutement")
        assert (action.health, action.progress, action.version) == ("at_risk", 55, 2)
        assert action.history.latest().history_user == world["members"][role]
    else:
        assert not action.updates.exists() and action.version == 1
    comment = client.post(url("action_comment", ght, action_id=action.pk), {"text": "Réunion le 12."})
    assert comment.status_code == (302 if allowed else 403)
    assert action.updates.filter(kind=ActionUpdate.Kind.COMMENT).exists() is allowed


def test_followup_bad_input(login, ght, world):
    action = world["mobile"]
    client = login(Role.OWNER)
    response = client.post(url("action_followup", ght, action_id=action.pk), followup_data(action, progress="150"))
    assert response.status_code == 422
    assert "inférieure ou égale à 100" in text(response)
    response = client.post(url("action_followup", ght, action_id=action.pk), followup_data(action, text=""))
    assert "Ce champ est obligatoire." in text(response)
    empty = client.post(url("action_comment", ght, action_id=action.pk), {"text": "  "}, follow=True)
    assert "Écrivez un commentaire." in text(empty)
    action.refresh_from_db()
    assert action.progress == 40 and action.version == 1 and not action.updates.exists()


# --- Quick inline update ---------------------------------------------------------------------------


def test_quick_update_with_htmx_swaps_the_row(login, ght, world):
    action = world["mobile"]
    prefix = f"a{action.pk}"
    client = login(Role.OWNER)
    data = followup_data(action, prefix, text="", status="realisee", progress="100")
    response = client.post(url("action_quick_update", ght, action_id=action.pk), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = text(response)
    assert page.startswith(f'<tr id="action-{action.pk}"') and "Enregistré." in page and "100 %" in page
    assert "En retard" not in page  # done: never late
    action.refresh_from_db()
    assert (action.status, action.progress, action.version) == ("realisee", 100, 2)
    assert action.updates.get().text  # logged with a default text


def test_quick_update_without_javascript_redirects_back(login, ght, world):
    action = world["mobile"]
    client = login(Role.PILOT)
    back = url("my_actions", ght) + "?status=en_cours"
    data = {**followup_data(action, f"a{action.pk}", text=""), "next": back}
    response = client.post(url("action_quick_update", ght, action_id=action.pk), data)
    assert response.status_code == 302 and response.url == back
    data = {**followup_data(action, f"a{action.pk}", text="", version=2), "next": "https://ailleurs.example/"}
    response = client.post(url("action_quick_update", ght, action_id=action.pk), data)
    assert response.url == url("action_list", ght)


def test_quick_update_refusals_show_in_the_row(login, ght, world):
    action = world["mobile"]
    prefix = f"a{action.pk}"
    htmx = {"HX-Request": "true"}
    client = login(Role.OWNER)
    bad = client.post(
        url("action_quick_update", ght, action_id=action.pk),
        followup_data(action, prefix, progress="150"),
        headers=htmx,
    )
    assert bad.status_code == 422 and "inférieure ou égale à 100" in text(bad)
    # Someone else saves; the row still carries version 1.
    office = Client()
    office.force_login(world["members"][Role.OFFICE])
    office.post(url("action_followup", ght, action_id=action.pk), followup_data(action, status="suspendue"))
    stale = client.post(
        url("action_quick_update", ght, action_id=action.pk), followup_data(action, prefix, progress="80"), headers=htmx
    )
    assert stale.status_code == 422
    assert "Personne office" in text(stale) and "Statut : En cours → Suspendue" in text(stale)
    # Without JavaScript, the refusal comes back as a message on the list.
    plain = client.post(
        url("action_quick_update", ght, action_id=action.pk), followup_data(action, prefix, progress="80"), follow=True
    )
    assert "modifiée par quelqu'un d'autre" in text(plain)
    action.refresh_from_db()
    assert action.progress == 55 and action.status == "suspendue"
    assert action.updates.count() == 1


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.READER])
def test_quick_update_forbidden_to_readers(login, ght, world, role):
    action = world["mobile"]
    response = login(role).post(url("action_quick_update", ght, action_id=action.pk), followup_data(action, "x"))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.version == 1
