"""Pages of the instances, meetings and decisions: each role against each write, crafted posts, French
messages with nothing half-written, the action page's section, and the query ceilings."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from actions.models import Action
from ght_portal.models import Role
from governance.models import AgendaItem, Attendance, Decision, Instance, InstanceMember, Meeting
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, ObjectiveFactory, PlanFactory
from tests.helpers import text

Stage = Action.GovernanceStage
Seat = InstanceMember.SeatRole


def url(name, ght, **kwargs):
    return reverse(name, kwargs={"ght_slug": ght.slug, **kwargs})


def instance_of(ght, kind) -> Instance:
    return Instance.objects.get(ght=ght, kind=kind)


@pytest.fixture
def people(ght, make_member):
    """One member per role, plus the CMG's secretary and president (role « Direction »)."""
    result = {role: make_member(ght, role) for role in Role.values}
    result["secretary"] = make_member(ght, Role.DIRECTOR, full_name="Sophie Secrétaire")
    result["president"] = make_member(ght, Role.DIRECTOR, full_name="Paul Président")
    cmg = instance_of(ght, Instance.Kind.CMG)
    InstanceMember.objects.create(instance=cmg, user=result["secretary"], role=Seat.SECRETARY)
    InstanceMember.objects.create(instance=cmg, user=result["president"], role=Seat.PRESIDENT)
    return result


@pytest.fixture
def login(client, people):
    def log(who):
        client.force_login(people[who])
        return client

    return log


@pytest.fixture
def objective(ght):
    return ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght)))


@pytest.fixture
def cmg_meeting(ght):
    return Meeting.objects.create(instance=instance_of(ght, Instance.Kind.CMG), starts_at=timezone.now(), place="Agen")


def decision_post(instance, actions=(), stage="", meeting=None, kind=Decision.Kind.FAVOURABLE):
    return {
        "instance": instance.pk,
        "decided_on": timezone.localdate().isoformat(),
        "kind": kind,
        "text": "Avis favorable à l'unanimité",
        "actions": [a.pk for a in actions],
        "stage": stage,
        "meeting": meeting.pk if meeting else "",
    }


# --- Each role against each write ---------------------------------------------------------------------

WRITERS = {
    "office": True,
    "secretary": True,
    "president": False,
    Role.DIRECTOR: False,
    Role.PILOT: False,
    Role.OWNER: False,
    Role.READER: False,
}


@pytest.mark.parametrize(("who", "allowed"), WRITERS.items())
def test_recording_a_decision_that_moves_a_stage(ght, login, objective, who, allowed):
    who = Role.OFFICE if who == "office" else who
    action = ActionFactory(objective=objective, governance_stage=Stage.CONSULTED)
    response = login(who).post(
        url("decision_create", ght), decision_post(instance_of(ght, Instance.Kind.CMG), [action], Stage.OPINION)
    )
    action.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert action.governance_stage == Stage.OPINION
        assert Decision.objects.get().actions.get() == action
    else:
        assert response.status_code == 403
        assert action.governance_stage == Stage.CONSULTED and not Decision.objects.exists()


@pytest.mark.parametrize(("who", "allowed"), WRITERS.items())
def test_recording_meetings_agenda_and_attendance(ght, login, people, cmg_meeting, who, allowed):
    who = Role.OFFICE if who == "office" else who
    client = login(who)
    cmg = cmg_meeting.instance
    responses = [
        client.post(
            url("meeting_create", ght, instance_id=cmg.pk), {"starts_at": "2026-06-02T14:00", "place": "CH Agen"}
        ),
        client.post(
            url("meeting_update", ght, meeting_id=cmg_meeting.pk),
            {"starts_at": "2026-06-03T09:30", "place": "Salle 2", "minutes": "Compte rendu"},
        ),
        client.post(url("meeting_agenda_add", ght, meeting_id=cmg_meeting.pk), {"agenda-text": "Bilan du PMSP"}),
        client.post(
            url("meeting_attendance", ght, meeting_id=cmg_meeting.pk), {f"user_{people['secretary'].pk}": "present"}
        ),
    ]
    if allowed:
        assert [r.status_code for r in responses] == [302] * 4
        assert Meeting.objects.count() == 2
        cmg_meeting.refresh_from_db()
        assert cmg_meeting.minutes == "Compte rendu" and cmg_meeting.place == "Salle 2"
        assert list(cmg_meeting.agenda.values_list("text", flat=True)) == ["Bilan du PMSP"]
        assert Attendance.objects.get(meeting=cmg_meeting).user == people["secretary"]
    else:
        assert [r.status_code for r in responses] == [403] * 4
        assert Meeting.objects.count() == 1 and not AgendaItem.objects.exists() and not Attendance.objects.exists()


def test_a_secretary_records_only_for_their_instance(ght, login, objective):
    college = instance_of(ght, Instance.Kind.COLLEGE)
    client = login("secretary")
    assert client.get(url("meeting_create", ght, instance_id=college.pk)).status_code == 403
    meeting = Meeting.objects.create(instance=college, starts_at=timezone.now(), place="Agen")
    assert client.get(url("meeting_attendance", ght, meeting_id=meeting.pk)).status_code == 403
    # A crafted post naming the collège: not among the choices offered, nothing written.
    action = ActionFactory(objective=objective, governance_stage=Stage.PROPOSED)
    response = client.post(url("decision_create", ght), decision_post(college, [action], Stage.CONSULTED))
    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in text(response)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "who", [Role.OFFICE, "secretary", "president", Role.DIRECTOR, Role.PILOT, Role.OWNER, Role.READER]
)
def test_only_the_office_manages_instances_and_seats(ght, login, people, who):
    client = login(who)
    cmg = instance_of(ght, Instance.Kind.CMG)
    seat = InstanceMember.objects.get(instance=cmg, user=people["secretary"])
    responses = [
        client.post(
            url("instance_create", ght), {"name": "Conférence territoriale", "short_name": "CTDS", "kind": "autre"}
        ),
        client.post(
            url("instance_update", ght, instance_id=cmg.pk),
            {"name": "CMG", "short_name": "CMG", "kind": "cmg", "description": "Nouvelle"},
        ),
        client.post(
            url("instance_seat_add", ght, instance_id=cmg.pk), {"user": people[Role.READER].pk, "role": "member"}
        ),
        client.post(url("instance_seat_edit", ght, instance_member_id=seat.pk), {f"s{seat.pk}-role": "member"}),
    ]
    if who == Role.OFFICE:
        assert [r.status_code for r in responses] == [302] * 4
        assert Instance.objects.filter(ght=ght, short_name="CTDS").exists()
        assert Instance.objects.get(pk=cmg.pk).description == "Nouvelle"
        assert set(cmg.members.values_list("user_id", "role")) == {
            (people[Role.READER].pk, "member"),
            (people["secretary"].pk, "member"),
            (people["president"].pk, "president"),
        }
    else:
        assert [r.status_code for r in responses] == [403] * 4
        assert not Instance.objects.filter(short_name="CTDS").exists()
        assert cmg.members.count() == 2


def test_a_second_president_is_refused_on_the_page(ght, login, people):
    cmg = instance_of(ght, Instance.Kind.CMG)
    response = login(Role.OFFICE).post(
        url("instance_seat_add", ght, instance_id=cmg.pk), {"user": people[Role.DIRECTOR].pk, "role": "president"}
    )
    assert response.status_code == 422
    assert "CMG a déjà un·e président·e (Paul Président) : changez d'abord son rôle." in text(response)
    assert cmg.members.count() == 2


def test_office_removes_a_seat(ght, login, people):
    seat = InstanceMember.objects.get(user=people["president"])
    response = login(Role.OFFICE).post(url("instance_seat_edit", ght, instance_member_id=seat.pk), {"action": "remove"})
    assert response.status_code == 302 and not InstanceMember.objects.filter(pk=seat.pk).exists()


def test_a_duplicate_instance_name_is_refused_in_french(ght, login):
    response = login(Role.OFFICE).post(
        url("instance_create", ght), {"name": "Comité stratégique", "short_name": "Costrat 2", "kind": "costrat"}
    )
    assert response.status_code == 422
    assert "Une instance porte déjà ce nom dans ce GHT." in text(response)


# --- Crafted posts and refused moves -------------------------------------------------------------------


def test_a_decision_on_another_ghts_action_is_refused(ght, other_ght, login, objective):
    own = ActionFactory(objective=objective, governance_stage=Stage.CONSULTED)
    foreign = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght))))
    response = login(Role.OFFICE).post(
        url("decision_create", ght), decision_post(instance_of(ght, Instance.Kind.CMG), [own, foreign], Stage.OPINION)
    )
    assert response.status_code == 422
    assert f"Sélectionnez un choix valide. {foreign.pk} n’en fait pas partie." in text(response)
    assert not Decision.objects.exists()
    assert Action.objects.get(pk=own.pk).governance_stage == Stage.CONSULTED


def test_a_meeting_of_another_instance_is_refused(ght, login, objective):
    action = ActionFactory(objective=objective, governance_stage=Stage.PROPOSED)
    cmg_meeting = Meeting.objects.create(
        instance=instance_of(ght, Instance.Kind.CMG), starts_at=timezone.now(), place="Agen"
    )
    college = instance_of(ght, Instance.Kind.COLLEGE)
    response = login(Role.OFFICE).post(
        url("decision_create", ght), decision_post(college, [action], Stage.CONSULTED, meeting=cmg_meeting)
    )
    assert response.status_code == 422
    assert "Cette séance n'est pas une séance de l'instance « Collège »." in text(response)
    assert not Decision.objects.exists()
    assert Action.objects.get(pk=action.pk).governance_stage == Stage.PROPOSED


def test_a_move_outside_the_table_is_refused_on_the_page(ght, login, objective):
    action = ActionFactory(objective=objective, code="GER-2", governance_stage=Stage.PROPOSED)
    response = login(Role.OFFICE).post(
        url("decision_create", ght),
        decision_post(
            instance_of(ght, Instance.Kind.STRATEGIC), [action], Stage.VALIDATED, kind=Decision.Kind.VALIDATION
        ),
    )
    assert response.status_code == 422
    assert "GER-2 : le passage de « Proposée » à « Décidée : validée » n'est pas prévu." in text(response)
    assert not Decision.objects.exists()


# --- Proposing ----------------------------------------------------------------------------------------


def test_a_pilot_proposes_an_action_of_their_filiere(ght, login, people, objective):
    filiere = FiliereFactory(ght=ght)
    assign_perm("filieres.pilot_filiere", people[Role.PILOT], filiere)
    mine, other = ActionFactory(objective=objective), ActionFactory(objective=objective, owner=people[Role.OWNER])
    mine.filieres.add(filiere)
    client = login(Role.PILOT)
    page = client.get(url("action_detail", ght, action_id=mine.pk))
    assert "Proposer aux instances" in text(page)
    response = client.post(url("governance_propose", ght, action_id=mine.pk), follow=True)
    assert "L'action" in text(response) and "est proposée aux instances." in text(response)
    assert Action.objects.get(pk=mine.pk).governance_stage == Stage.PROPOSED
    assert "Proposer aux instances" not in text(response)  # already proposed
    # Again: refused with a message, nothing changes.
    response = client.post(url("governance_propose", ght, action_id=mine.pk), follow=True)
    assert "n'est pas prévu" in text(response)
    assert client.post(url("governance_propose", ght, action_id=other.pk)).status_code == 403
    login(Role.OWNER)
    assert client.post(url("governance_propose", ght, action_id=other.pk)).status_code == 403
    assert Action.objects.get(pk=other.pk).governance_stage == ""


# --- Reading ------------------------------------------------------------------------------------------


@pytest.fixture
def busy_cmg(ght, people, objective):
    """The CMG with 30 members, 12 meetings of 5 agenda items and 5 attendances, 40 decisions."""
    from tests.factories import MembershipFactory, UserFactory

    cmg = instance_of(ght, Instance.Kind.CMG)
    users = [UserFactory() for _ in range(28)]
    for user in users:
        MembershipFactory(ght=ght, user=user, role=Role.READER)
        InstanceMember.objects.create(instance=cmg, user=user)
    actions = [ActionFactory(objective=objective) for _ in range(6)]
    filiere = FiliereFactory(ght=ght)
    meetings = []
    for number in range(12):
        meeting = Meeting.objects.create(
            instance=cmg, starts_at=timezone.now() - datetime.timedelta(days=30 * number), place=f"Salle {number}"
        )
        meetings.append(meeting)
        for position in range(5):
            AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                action=actions[position] if position < 3 else None,
                filiere=filiere if position == 3 else None,
                text="Point" if position == 4 else "",
            )
        for user in users[:5]:
            Attendance.objects.create(meeting=meeting, user=user, status="present")
    for number in range(40):
        decision = Decision.objects.create(
            instance=cmg,
            meeting=meetings[number % 12],
            decided_on=datetime.date(2024 + number % 3, 1 + number % 12, 1),
            kind=Decision.Kind.values[number % 6],
            text=f"Décision {number}",
            stage=Stage.OPINION if number % 2 else "",
        )
        decision.actions.set(actions[: 1 + number % 4])
    return {"instance": cmg, "meeting": meetings[0], "action": actions[0]}


@pytest.mark.parametrize("who", ["secretary", Role.READER])
def test_query_ceilings(ght, login, busy_cmg, who, django_assert_max_num_queries):
    client = login(who)
    pages = [
        url("instance_list", ght),
        url("instance_detail", ght, instance_id=busy_cmg["instance"].pk),
        url("meeting_detail", ght, meeting_id=busy_cmg["meeting"].pk),
        url("decision_list", ght),
        url("decision_list", ght) + f"?instance={busy_cmg['instance'].pk}&kind=avis_favorable&year=2025",
        url("action_detail", ght, action_id=busy_cmg["action"].pk),
    ]
    if who == "secretary":
        pages += [url("decision_create", ght), url("meeting_attendance", ght, meeting_id=busy_cmg["meeting"].pk)]
    for page in pages:
        client.get(page)  # warm the session
        # Session, user, membership (3); the rows of the page in bulk, each kind of row once (≤ 8); the
        # secretary seats (1); the GHT switcher (1); the session save (≤ 3).
        with django_assert_max_num_queries(20):
            response = client.get(page)
        assert response.status_code == 200, page


def test_pages_show_members_meetings_and_decisions(ght, login, busy_cmg, people):
    client = login(Role.READER)
    page = text(client.get(url("instance_detail", ght, instance_id=busy_cmg["instance"].pk)))
    assert "Paul Président" in page and "Président·e" in page and "Sophie Secrétaire" in page
    assert "Décision 39" in page and "Nouvelle séance" not in page and "Ajouter un membre" not in page
    meeting = text(client.get(url("meeting_detail", ght, meeting_id=busy_cmg["meeting"].pk)))
    assert "Ordre du jour" in meeting and "Présent·e" in meeting and "Enregistrer une décision" not in meeting
    listing = text(client.get(url("instance_list", ght)))
    assert "Comité stratégique" in listing and 'aria-current="page">Instances' in listing
    secretary_page = text(login("secretary").get(url("meeting_detail", ght, meeting_id=busy_cmg["meeting"].pk)))
    assert "Enregistrer une décision" in secretary_page and "Ajouter un point à l'ordre du jour" in secretary_page


def test_decisions_filter_by_instance_kind_and_year(ght, login, busy_cmg, objective):
    college = instance_of(ght, Instance.Kind.COLLEGE)
    Decision.objects.create(
        instance=college, decided_on=datetime.date(2025, 2, 1), kind="avis_favorable", text="Du collège"
    )
    client = login(Role.READER)
    everything = client.get(url("decision_list", ght))
    assert len(everything.context["decisions"]) == 41
    filtered = client.get(url("decision_list", ght), {"instance": college.pk})
    assert [d.text for d in filtered.context["decisions"]] == ["Du collège"]
    by_kind_year = client.get(url("decision_list", ght), {"kind": "arbitrage", "year": 2025})
    expected = Decision.objects.filter(ght=ght, kind="arbitrage", decided_on__year=2025).count()
    assert expected and len(by_kind_year.context["decisions"]) == expected
    assert all(d.kind == "arbitrage" and d.decided_on.year == 2025 for d in by_kind_year.context["decisions"])


def test_the_action_page_shows_its_stage_and_decisions(ght, login, objective):
    action = ActionFactory(objective=objective, governance_stage=Stage.PROPOSED)
    client = login(Role.OFFICE)
    response = client.post(
        url("decision_create", ght),
        decision_post(instance_of(ght, Instance.Kind.COLLEGE), [action], Stage.CONSULTED),
    )
    assert response.status_code == 302
    page = text(login(Role.READER).get(url("action_detail", ght, action_id=action.pk)))
    assert "Parcours en instances" in page and "Consultée" in page
    assert "Avis favorable" in page and "Collège" in page and "Avis favorable à l'unanimité" in page
    assert "Proposer aux instances" not in page and "Enregistrer une décision" not in page


def test_the_decision_form_is_prefilled_from_the_action_page(ght, login, objective):
    action = ActionFactory(objective=objective)
    client = login(Role.OFFICE)
    assert "Enregistrer une décision" in text(client.get(url("action_detail", ght, action_id=action.pk)))
    form = client.get(url("decision_create", ght), {"action": action.pk}).context["form"]
    assert form.initial["actions"] == [action.pk]


def test_action_list_shows_and_filters_the_governance_stage(office_client, ght):
    """Issue 4 point 2: the stage shows in the lists and can be filtered on."""
    from actions.models import Action, Plan
    from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory
    from tests.helpers import text

    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))
    ActionFactory(objective=objective, code="PROP-1", governance_stage=Action.GovernanceStage.PROPOSED)
    ActionFactory(objective=objective, code="PLAN-1")
    page = text(office_client.get(f"/{ght.slug}/actions/?governance_stage=proposee"))
    assert "PROP-1" in page and "PLAN-1" not in page
    assert 'class="badge badge--stage-proposee"' in page
    assert "Étape en instance" in page
