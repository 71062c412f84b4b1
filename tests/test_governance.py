"""Governance services: the usual instances, seats, meetings, decisions and the path of a project
(the transition table), with every refusal in French and nothing half-written."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from actions.models import Action
from ght_portal.models import Membership, Role
from governance import services
from governance.models import Attendance, Decision, Instance, InstanceMember, Meeting
from governance.permissions import can_record
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, GHTFactory, ObjectiveFactory, PlanFactory

Stage = Action.GovernanceStage
Kind = Decision.Kind
Seat = InstanceMember.SeatRole


def membership(user, ght) -> Membership:
    return Membership.objects.get(user=user, ght=ght)


def instance_of(ght, kind) -> Instance:
    return Instance.objects.get(ght=ght, kind=kind)


@pytest.fixture
def office(ght, make_member):
    return make_member(ght, Role.OFFICE, full_name="Claire Cellule")


@pytest.fixture
def office_m(office, ght):
    return membership(office, ght)


@pytest.fixture
def plan(ght):
    return PlanFactory(ght=ght)


@pytest.fixture
def make_action(plan):
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))

    def make(**fields):
        return ActionFactory(objective=objective, **fields)

    return make


def decide(office, office_m, instance, kind, actions, stage="", **extra):
    return services.record_decision(
        acting_user=office,
        membership=office_m,
        instance=instance,
        decided_on=extra.pop("decided_on", timezone.localdate()),
        kind=kind,
        text=extra.pop("text", "Texte de la décision"),
        actions=actions,
        stage=stage,
        **extra,
    )


# --- The usual instances -----------------------------------------------------------------------------


def test_a_new_ght_gets_the_usual_instances(db):
    ght = GHTFactory()
    kinds = set(Instance.objects.filter(ght=ght).values_list("kind", flat=True))
    assert kinds == {
        Instance.Kind.STRATEGIC,
        Instance.Kind.CMG,
        Instance.Kind.CMG_BUREAU,
        Instance.Kind.CSIRMT,
        Instance.Kind.COLLEGE,
        Instance.Kind.USERS,
    }


def test_default_instances_are_idempotent_and_respect_edits(ght):
    cmg = instance_of(ght, Instance.Kind.CMG)
    cmg.name = "CMG du GHT Alpha"
    cmg.save()
    assert services.ensure_default_instances(ght) == []
    Instance.objects.filter(ght=ght, kind=Instance.Kind.USERS).delete()
    created = services.ensure_default_instances(ght)
    assert [instance.kind for instance in created] == [Instance.Kind.USERS]
    assert Instance.objects.filter(ght=ght).count() == 6
    assert instance_of(ght, Instance.Kind.CMG).name == "CMG du GHT Alpha"


def test_the_migration_gives_existing_ghts_their_instances(ght, other_ght):
    Instance.objects.all().delete()
    migration = importlib.import_module("governance.migrations.0002_instances")
    migration.create_default_instances(apps, None)
    assert Instance.objects.filter(ght=ght).count() == 6
    assert Instance.objects.filter(ght=other_ght).count() == 6


def test_office_edits_an_instance_and_names_are_unique_in_the_ght(ght, office, office_m, other_ght):
    college = instance_of(ght, Instance.Kind.COLLEGE)
    college.description = "Le premier lundi du mois"
    services.save_instance(acting_user=office, membership=office_m, instance=college)
    duplicate = Instance(name="Comité stratégique", short_name="Autre", kind=Instance.Kind.OTHER)
    with pytest.raises(ValidationError) as error:
        services.save_instance(acting_user=office, membership=office_m, instance=duplicate)
    assert "Une instance porte déjà ce nom dans ce GHT." in error.value.messages
    # The same name in another GHT is fine (the default set exists there too).
    assert Instance.objects.filter(name="Comité stratégique").count() == 2


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.PILOT, Role.OWNER, Role.READER])
def test_only_the_office_manages_instances_and_seats(ght, make_member, role, office):
    user = make_member(ght, role)
    costrat = instance_of(ght, Instance.Kind.STRATEGIC)
    with pytest.raises(PermissionDenied):
        services.save_instance(acting_user=user, membership=membership(user, ght), instance=costrat)
    with pytest.raises(PermissionDenied):
        services.add_instance_member(
            acting_user=user, membership=membership(user, ght), instance=costrat, user=office, role=Seat.MEMBER
        )


# --- Seats --------------------------------------------------------------------------------------------


def test_one_president_at_most(ght, office, office_m, make_member):
    cmg = instance_of(ght, Instance.Kind.CMG)
    first = make_member(ght, Role.DIRECTOR, full_name="Paul Président")
    second = make_member(ght, Role.DIRECTOR)
    services.add_instance_member(acting_user=office, membership=office_m, instance=cmg, user=first, role=Seat.PRESIDENT)
    with pytest.raises(ValidationError) as error:
        services.add_instance_member(
            acting_user=office, membership=office_m, instance=cmg, user=second, role=Seat.PRESIDENT
        )
    assert error.value.message_dict["role"] == [
        "CMG a déjà un·e président·e (Paul Président) : changez d'abord son rôle."
    ]
    assert not InstanceMember.objects.filter(user=second).exists()
    # Promoting a member is refused the same way; the database refuses it too.
    seat = services.add_instance_member(
        acting_user=office, membership=office_m, instance=cmg, user=second, role=Seat.MEMBER
    )
    with pytest.raises(ValidationError):
        services.change_instance_member_role(acting_user=office, membership=office_m, seat=seat, role=Seat.PRESIDENT)
    seat.refresh_from_db()
    assert seat.role == Seat.MEMBER
    with pytest.raises(IntegrityError), transaction.atomic():
        InstanceMember.objects.filter(pk=seat.pk).update(role=Seat.PRESIDENT)
    # Another instance has its own president.
    services.add_instance_member(
        acting_user=office,
        membership=office_m,
        instance=instance_of(ght, Instance.Kind.CSIRMT),
        user=second,
        role=Seat.PRESIDENT,
    )


def test_a_seat_is_for_a_member_of_the_ght_and_a_secretary_can_record(ght, other_ght, office, office_m, make_member):
    cmg = instance_of(ght, Instance.Kind.CMG)
    outsider = make_member(other_ght, Role.DIRECTOR)
    with pytest.raises(ValidationError) as error:
        services.add_instance_member(
            acting_user=office, membership=office_m, instance=cmg, user=outsider, role=Seat.MEMBER
        )
    assert error.value.message_dict["user"] == ["Cette personne n'est pas membre de ce GHT."]
    reader = make_member(ght, Role.READER, full_name="Louis Lecteur")
    with pytest.raises(ValidationError) as error:
        services.add_instance_member(
            acting_user=office, membership=office_m, instance=cmg, user=reader, role=Seat.SECRETARY
        )
    assert "Louis Lecteur a le rôle « Lecteur »" in error.value.message_dict["role"][0]
    services.add_instance_member(acting_user=office, membership=office_m, instance=cmg, user=reader, role=Seat.MEMBER)
    with pytest.raises(ValidationError) as error:
        services.add_instance_member(
            acting_user=office, membership=office_m, instance=cmg, user=reader, role=Seat.MEMBER
        )
    assert error.value.message_dict["user"] == ["Cette personne siège déjà dans cette instance."]


# --- Who records --------------------------------------------------------------------------------------


@pytest.fixture
def seats(ght, office, office_m, make_member):
    """The CMG's secretary and president (both « Direction »), a member, and the CSIRMT's secretary."""
    cmg = instance_of(ght, Instance.Kind.CMG)
    people = {
        "secretary": make_member(ght, Role.DIRECTOR),
        "president": make_member(ght, Role.DIRECTOR),
        "member": make_member(ght, Role.PILOT),
        "other_secretary": make_member(ght, Role.DIRECTOR),
        "director": make_member(ght, Role.DIRECTOR),
        "reader": make_member(ght, Role.READER),
    }
    for key, role in [("secretary", Seat.SECRETARY), ("president", Seat.PRESIDENT), ("member", Seat.MEMBER)]:
        services.add_instance_member(acting_user=office, membership=office_m, instance=cmg, user=people[key], role=role)
    services.add_instance_member(
        acting_user=office,
        membership=office_m,
        instance=instance_of(ght, Instance.Kind.CSIRMT),
        user=people["other_secretary"],
        role=Seat.SECRETARY,
    )
    return people


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("office", True),
        ("secretary", True),
        ("president", False),
        ("member", False),
        ("other_secretary", False),
        ("director", False),
        ("reader", False),
    ],
)
def test_who_records_meetings_and_decisions(ght, office, seats, make_action, who, allowed):
    user = office if who == "office" else seats[who]
    m = membership(user, ght)
    cmg = instance_of(ght, Instance.Kind.CMG)
    action = make_action()
    meeting = Meeting(instance=cmg, starts_at=timezone.now(), place="Agen")

    def write():
        services.save_meeting(acting_user=user, membership=m, meeting=meeting)
        services.record_decision(
            acting_user=user,
            membership=m,
            instance=cmg,
            decided_on=timezone.localdate(),
            kind=Kind.INFORMATION,
            text="Point d'information",
            actions=[action],
        )

    if allowed:
        write()
        assert Decision.objects.filter(instance=cmg).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            write()
        assert not Meeting.objects.exists() and not Decision.objects.exists()


def test_a_demoted_secretary_no_longer_records(ght, seats):
    Membership.objects.filter(user=seats["secretary"], ght=ght).update(role=Role.READER)
    m = membership(seats["secretary"], ght)
    assert not can_record(m, instance_of(ght, Instance.Kind.CMG))


# --- Meetings, agenda, attendance -----------------------------------------------------------------------


def test_a_meeting_needs_a_place_or_a_visio_link(ght, office, office_m):
    meeting = Meeting(instance=instance_of(ght, Instance.Kind.COLLEGE), starts_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.save_meeting(acting_user=office, membership=office_m, meeting=meeting)
    assert error.value.message_dict["place"] == ["Indiquez un lieu ou un lien de visioconférence."]
    meeting.visio_url = "https://visio.example.test/college"
    services.save_meeting(acting_user=office, membership=office_m, meeting=meeting)
    assert meeting.created_by == office


def test_agenda_items_point_to_the_ght_and_keep_their_order(ght, other_ght, office, office_m, make_action):
    meeting = services.save_meeting(
        acting_user=office,
        membership=office_m,
        meeting=Meeting(instance=instance_of(ght, Instance.Kind.COLLEGE), starts_at=timezone.now(), place="Agen"),
    )
    action, filiere = make_action(), FiliereFactory(ght=ght)
    add = lambda **kw: services.add_agenda_item(acting_user=office, membership=office_m, meeting=meeting, **kw)  # noqa: E731
    first = add(action=action)
    second = add(filiere=filiere, text="Bilan annuel")
    third = add(text="Questions diverses")
    foreign = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght))))
    for bad, message in [
        ({"action": foreign}, "Cet élément n'appartient pas à ce GHT."),
        (
            {"action": action, "filiere": filiere},
            "Un point de l'ordre du jour porte sur une action ou sur une filière, pas les deux.",
        ),
        ({"text": "  "}, "Choisissez une action ou une filière, ou écrivez l'intitulé du point."),
    ]:
        with pytest.raises(ValidationError) as error:
            add(**bad)
        assert error.value.messages == [message]
    assert list(meeting.agenda.values_list("pk", flat=True)) == [first.pk, second.pk, third.pk]
    services.move_agenda_item(acting_user=office, membership=office_m, item=third, offset=-1)
    services.move_agenda_item(acting_user=office, membership=office_m, item=first, offset=-1)  # already first
    assert list(meeting.agenda.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    services.remove_agenda_item(acting_user=office, membership=office_m, item=third)
    assert list(meeting.agenda.values_list("pk", flat=True)) == [first.pk, second.pk]


def test_attendance_is_for_members_of_the_instance(ght, office, office_m, seats):
    cmg = instance_of(ght, Instance.Kind.CMG)
    meeting = services.save_meeting(
        acting_user=office, membership=office_m, meeting=Meeting(instance=cmg, starts_at=timezone.now(), place="Agen")
    )
    record = lambda statuses: services.record_attendance(  # noqa: E731
        acting_user=office, membership=office_m, meeting=meeting, statuses=statuses
    )
    record({seats["secretary"].pk: "present", seats["president"].pk: "excused", seats["member"].pk: ""})
    with pytest.raises(ValidationError) as error:
        record({seats["secretary"].pk: "absent", seats["reader"].pk: "present"})
    assert error.value.messages == ["Seuls les membres de l'instance peuvent figurer dans la feuille de présence."]
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("user_id", "status"))
    assert statuses == {seats["secretary"].pk: "present", seats["president"].pk: "excused"}
    # A person who leaves the instance keeps their attendance and stays on the sheet.
    InstanceMember.objects.filter(user=seats["president"], instance=cmg).delete()
    record({seats["president"].pk: "absent"})
    assert Attendance.objects.get(meeting=meeting, user=seats["president"]).status == "absent"


# --- The path of a project -----------------------------------------------------------------------------

ALLOWED = [
    ("", Stage.PROPOSED, None, None),
    (Stage.REFUSED, Stage.PROPOSED, None, None),
    (Stage.POSTPONED, Stage.PROPOSED, None, None),
    (Stage.PROPOSED, Stage.CONSULTED, Instance.Kind.COLLEGE, Kind.FAVOURABLE),
    (Stage.PROPOSED, Stage.CONSULTED, Instance.Kind.CMG_BUREAU, Kind.INFORMATION),
    (Stage.PROPOSED, Stage.CONSULTED, Instance.Kind.CSIRMT_BUREAU, Kind.RESERVED),
    (Stage.REFUSED, Stage.CONSULTED, Instance.Kind.COLLEGE, Kind.FAVOURABLE),
    (Stage.POSTPONED, Stage.CONSULTED, Instance.Kind.CMG_BUREAU, Kind.UNFAVOURABLE),
    (Stage.CONSULTED, Stage.OPINION, Instance.Kind.CMG, Kind.FAVOURABLE),
    (Stage.CONSULTED, Stage.OPINION, Instance.Kind.CSIRMT, Kind.RESERVED),
    (Stage.OPINION, Stage.OPINION, Instance.Kind.CSIRMT, Kind.UNFAVOURABLE),
    (Stage.OPINION, Stage.VALIDATED, Instance.Kind.STRATEGIC, Kind.VALIDATION),
    (Stage.OPINION, Stage.VALIDATED, Instance.Kind.STRATEGIC, Kind.ARBITRATION),
    (Stage.OPINION, Stage.REFUSED, Instance.Kind.STRATEGIC, Kind.ARBITRATION),
    (Stage.OPINION, Stage.POSTPONED, Instance.Kind.STRATEGIC, Kind.ARBITRATION),
]
REFUSED = [
    ("", Stage.CONSULTED, Instance.Kind.COLLEGE, Kind.FAVOURABLE, "n'est pas prévu"),
    (Stage.PROPOSED, Stage.VALIDATED, Instance.Kind.STRATEGIC, Kind.VALIDATION, "n'est pas prévu"),
    (Stage.VALIDATED, Stage.PROPOSED, None, None, "n'est pas prévu"),
    (Stage.VALIDATED, Stage.REFUSED, Instance.Kind.STRATEGIC, Kind.ARBITRATION, "n'est pas prévu"),
    (Stage.PROPOSED, Stage.PROPOSED, None, None, "n'est pas prévu"),
    (Stage.PROPOSED, Stage.CONSULTED, Instance.Kind.CMG, Kind.FAVOURABLE, "relève de"),
    (Stage.CONSULTED, Stage.OPINION, Instance.Kind.COLLEGE, Kind.FAVOURABLE, "relève de"),
    (Stage.OPINION, Stage.VALIDATED, Instance.Kind.CMG, Kind.VALIDATION, "relève de"),
    (Stage.CONSULTED, Stage.OPINION, Instance.Kind.CMG, Kind.VALIDATION, "demande une décision de nature"),
    (Stage.OPINION, Stage.VALIDATED, Instance.Kind.STRATEGIC, Kind.FAVOURABLE, "demande une décision de nature"),
    (Stage.OPINION, Stage.REFUSED, Instance.Kind.STRATEGIC, Kind.VALIDATION, "demande une décision de nature"),
    (Stage.CONSULTED, Stage.OPINION, None, None, "se fait par une décision d'instance"),
    (Stage.REFUSED, Stage.PROPOSED, Instance.Kind.COLLEGE, Kind.INFORMATION, "est le fait de la filière"),
]


def _check(source, target, instance_kind, decision_kind):
    action = Action(code="X-1", governance_stage=source)
    instance = Instance(kind=instance_kind) if instance_kind else None
    return services.transition_error(action, target, instance, decision_kind)


@pytest.mark.parametrize(("source", "target", "instance_kind", "decision_kind"), ALLOWED)
def test_allowed_transitions(source, target, instance_kind, decision_kind):
    assert _check(source, target, instance_kind, decision_kind) is None


@pytest.mark.parametrize(("source", "target", "instance_kind", "decision_kind", "why"), REFUSED)
def test_refused_transitions(source, target, instance_kind, decision_kind, why):
    message = _check(source, target, instance_kind, decision_kind)
    assert message is not None and message.startswith("X-1 : ") and why in message


def test_the_table_is_the_path_of_the_domain():
    """Every stage is reached, every stage but « validée » has a way on, and the table has no duplicate."""
    pairs = [(t.source, t.target) for t in services.TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    assert {target for _source, target in pairs} == set(Stage.values)
    assert {source for source, _target in pairs} == {""} | set(Stage.values) - {Stage.VALIDATED}
    assert {(s, t) for s, t, *_ in ALLOWED} == set(pairs)


def test_a_project_goes_the_whole_way_and_round_again(ght, office, office_m, make_action):
    action = make_action()
    kinds = Instance.Kind
    services.propose_action(acting_user=office, membership=office_m, action=action)
    steps = [
        (kinds.COLLEGE, Kind.FAVOURABLE, Stage.CONSULTED),
        (kinds.CMG, Kind.FAVOURABLE, Stage.OPINION),
        (kinds.CSIRMT, Kind.RESERVED, Stage.OPINION),
        (kinds.STRATEGIC, Kind.ARBITRATION, Stage.POSTPONED),
        (kinds.CMG_BUREAU, Kind.INFORMATION, Stage.CONSULTED),
        (kinds.CMG, Kind.FAVOURABLE, Stage.OPINION),
        (kinds.STRATEGIC, Kind.VALIDATION, Stage.VALIDATED),
    ]
    for instance_kind, kind, stage in steps:
        decide(office, office_m, instance_of(ght, instance_kind), kind, [action], stage)
        action.refresh_from_db()
        assert action.governance_stage == stage
    assert action.governance_decisions.count() == len(steps)
    assert list(action.governance_decisions.order_by("id").values_list("stage", flat=True)) == [s[2] for s in steps]
    # Its history tells who moved it.
    assert action.history.filter(governance_stage=Stage.VALIDATED, history_user=office).exists()


def test_a_refused_project_is_proposed_again(ght, office, office_m, make_action):
    action = make_action(governance_stage=Stage.REFUSED)
    services.propose_action(acting_user=office, membership=office_m, action=action)
    action.refresh_from_db()
    assert action.governance_stage == Stage.PROPOSED
    with pytest.raises(ValidationError) as error:
        services.propose_action(acting_user=office, membership=office_m, action=action)
    assert error.value.messages[0].endswith("le passage de « Proposée » à « Proposée » n'est pas prévu.")


def test_a_decision_without_a_stage_moves_nothing(ght, office, office_m, make_action):
    action = make_action(governance_stage=Stage.CONSULTED)
    decision = decide(office, office_m, instance_of(ght, Instance.Kind.USERS), Kind.INFORMATION, [action])
    action.refresh_from_db()
    assert action.governance_stage == Stage.CONSULTED and decision.stage == ""
    assert list(decision.actions.all()) == [action]


def _nothing_written(*actions, stages):
    assert not Decision.objects.exists()
    assert [Action.objects.get(pk=a.pk).governance_stage for a in actions] == stages


def test_a_refused_move_writes_nothing_even_for_the_allowed_actions(ght, office, office_m, make_action):
    ready = make_action(code="OK-1", governance_stage=Stage.OPINION)
    early = make_action(code="KO-2", governance_stage=Stage.PROPOSED)
    with pytest.raises(ValidationError) as error:
        decide(
            office,
            office_m,
            instance_of(ght, Instance.Kind.STRATEGIC),
            Kind.VALIDATION,
            [ready, early],
            Stage.VALIDATED,
        )
    assert error.value.message_dict["stage"] == [
        "KO-2 : le passage de « Proposée » à « Décidée : validée » n'est pas prévu."
    ]
    _nothing_written(ready, early, stages=[Stage.OPINION, Stage.PROPOSED])


def test_the_right_instance_and_kind_are_required(ght, office, office_m, make_action):
    action = make_action(code="P-1", governance_stage=Stage.PROPOSED)
    with pytest.raises(ValidationError) as error:
        decide(office, office_m, instance_of(ght, Instance.Kind.CMG), Kind.FAVOURABLE, [action], Stage.CONSULTED)
    message = error.value.message_dict["stage"][0]
    assert message.startswith("P-1 : le passage à « Consultée » relève de : ")
    assert "Collège des chefs d'établissement" in message and "Bureau de la CMG" in message
    action.governance_stage = Stage.OPINION
    action.save()
    with pytest.raises(ValidationError) as error:
        decide(office, office_m, instance_of(ght, Instance.Kind.STRATEGIC), Kind.FAVOURABLE, [action], Stage.VALIDATED)
    assert error.value.message_dict["stage"] == [
        "P-1 : le passage à « Décidée : validée » demande une décision de nature : Arbitrage, Validation."
    ]
    _nothing_written(action, stages=[Stage.OPINION])


def test_a_decision_on_another_ghts_action_is_refused(ght, other_ght, office, office_m, make_action):
    own = make_action(governance_stage=Stage.PROPOSED)
    foreign = ActionFactory(
        objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght))), governance_stage=Stage.PROPOSED
    )
    for stage in ["", Stage.CONSULTED]:
        with pytest.raises(ValidationError) as error:
            decide(office, office_m, instance_of(ght, Instance.Kind.COLLEGE), Kind.FAVOURABLE, [own, foreign], stage)
        assert error.value.message_dict["actions"] == ["Une des actions choisies n'appartient pas à ce GHT."]
    _nothing_written(own, foreign, stages=[Stage.PROPOSED, Stage.PROPOSED])


def test_a_meeting_of_another_instance_is_refused(ght, office, office_m, make_action):
    action = make_action(governance_stage=Stage.CONSULTED)
    college_meeting = services.save_meeting(
        acting_user=office,
        membership=office_m,
        meeting=Meeting(instance=instance_of(ght, Instance.Kind.COLLEGE), starts_at=timezone.now(), place="Agen"),
    )
    with pytest.raises(ValidationError) as error:
        decide(
            office,
            office_m,
            instance_of(ght, Instance.Kind.CMG),
            Kind.FAVOURABLE,
            [action],
            Stage.OPINION,
            meeting=college_meeting,
        )
    assert error.value.message_dict["meeting"] == ["Cette séance n'est pas une séance de l'instance « CMG »."]
    _nothing_written(action, stages=[Stage.CONSULTED])


def test_a_decision_is_not_dated_in_the_future_and_a_move_needs_actions(ght, office, office_m, make_action):
    action = make_action(governance_stage=Stage.CONSULTED)
    with pytest.raises(ValidationError) as error:
        decide(
            office,
            office_m,
            instance_of(ght, Instance.Kind.CMG),
            Kind.FAVOURABLE,
            [action],
            Stage.OPINION,
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert error.value.message_dict["decided_on"] == ["Une décision ne peut pas être datée dans le futur."]
    with pytest.raises(ValidationError) as error:
        decide(office, office_m, instance_of(ght, Instance.Kind.CMG), Kind.FAVOURABLE, [], Stage.OPINION)
    assert error.value.message_dict["actions"] == ["Choisissez les actions dont l'étape change."]
    _nothing_written(action, stages=[Stage.CONSULTED])


def test_who_proposes(ght, make_member, make_action):
    filiere, other = FiliereFactory(ght=ght), FiliereFactory(ght=ght)
    pilot = make_member(ght, Role.PILOT)
    assign_perm("filieres.pilot_filiere", pilot, filiere)
    owner = make_member(ght, Role.OWNER)
    mine, theirs = make_action(owner=owner), make_action(owner=owner)
    mine.filieres.add(filiere)
    theirs.filieres.add(other)
    services.propose_action(acting_user=pilot, membership=membership(pilot, ght), action=mine)
    assert Action.objects.get(pk=mine.pk).governance_stage == Stage.PROPOSED
    for user, action in [(pilot, theirs), (owner, theirs), (owner, mine)]:
        with pytest.raises(PermissionDenied):
            services.propose_action(acting_user=user, membership=membership(user, ght), action=action)
    assert Action.objects.get(pk=theirs.pk).governance_stage == ""


def test_load_demo_ends_with_the_usual_instances(db):
    from django.core.management import call_command

    from ght_portal.models import GHT

    call_command("load_demo", verbosity=0)
    Instance.objects.filter(kind=Instance.Kind.USERS).delete()  # e.g. data from before this feature
    call_command("load_demo", verbosity=0)
    for ght in GHT.objects.all():
        assert Instance.objects.filter(ght=ght).count() == 6, ght
