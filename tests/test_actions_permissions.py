"""The permission contract (actions/permissions.py), role by role, with no page in between."""

import pytest
from guardian.shortcuts import assign_perm, remove_perm

from actions.permissions import (
    can_create_action,
    can_edit_action,
    can_edit_objective,
    can_manage_plan,
    can_update_followup,
    piloted_filiere_ids,
)
from ght_portal.models import Membership, Role
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, ObjectiveFactory, PlanFactory


@pytest.fixture
def world(ght, other_ght, make_member):
    members = {role: make_member(ght, role) for role in Role.values}
    memberships = {role: Membership.objects.get(ght=ght, user=user) for role, user in members.items()}
    mine, theirs = FiliereFactory(ght=ght), FiliereFactory(ght=ght)
    foreign = FiliereFactory(ght=other_ght)
    assign_perm("filieres.pilot_filiere", members[Role.PILOT], mine)
    assign_perm(
        "filieres.pilot_filiere", members[Role.PILOT], foreign
    )  # a grant in another GHT counts for nothing here
    objective = ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght)))
    in_mine = ActionFactory(objective=objective, owner=members[Role.OWNER])
    in_mine.filieres.add(mine)
    in_theirs = ActionFactory(objective=objective, owner=members[Role.PILOT])
    in_theirs.filieres.add(theirs)
    return {
        "m": memberships,
        "mine": mine,
        "theirs": theirs,
        "in_mine": in_mine,
        "in_theirs": in_theirs,
        "objective": objective,
    }


def test_only_the_office_manages_the_plan(world):
    assert [role for role, m in world["m"].items() if can_manage_plan(m)] == [Role.OFFICE]


def test_piloted_filieres_are_the_guardian_grants_of_this_ght_in_one_query(world, django_assert_num_queries):
    pilot = Membership.objects.select_related("user").get(pk=world["m"][Role.PILOT].pk)
    piloted_filiere_ids(pilot)  # guardian caches the permission's content type once per process
    with django_assert_num_queries(1):
        assert piloted_filiere_ids(pilot) == {world["mine"].pk}
    # Other roles pilot nothing, even holding a grant (no query either).
    owner = world["m"][Role.OWNER]
    assign_perm("filieres.pilot_filiere", owner.user, world["mine"])
    with django_assert_num_queries(0):
        assert piloted_filiere_ids(owner) == frozenset()


def test_removing_the_grant_removes_the_right(world):
    pilot = world["m"][Role.PILOT]
    assert can_edit_action(pilot, world["in_mine"])
    remove_perm("filieres.pilot_filiere", pilot.user, world["mine"])
    assert not can_edit_action(pilot, world["in_mine"])


@pytest.mark.parametrize(
    ("role", "edit_mine", "edit_theirs", "follow_mine", "follow_theirs"),
    [
        (Role.OFFICE, True, True, True, True),
        (Role.PILOT, True, False, True, True),  # owns "in_theirs": follow-up only
        (Role.OWNER, False, False, True, False),  # owns "in_mine"
        (Role.DIRECTOR, False, False, False, False),
        (Role.READER, False, False, False, False),
    ],
)
def test_actions_by_role(world, role, edit_mine, edit_theirs, follow_mine, follow_theirs):
    membership = world["m"][role]
    piloted = piloted_filiere_ids(membership)
    assert can_edit_action(membership, world["in_mine"], piloted) is edit_mine
    assert can_edit_action(membership, world["in_theirs"], piloted) is edit_theirs
    assert can_update_followup(membership, world["in_mine"], piloted) is follow_mine
    assert can_update_followup(membership, world["in_theirs"], piloted) is follow_theirs


def test_an_owner_with_a_reader_role_cannot_update(world):
    reader = world["m"][Role.READER]
    world["in_mine"].owner = reader.user
    assert not can_update_followup(reader, world["in_mine"])


def test_a_pilot_edits_what_hangs_under_an_objective_of_their_filiere(world):
    pilot = world["m"][Role.PILOT]
    objective = world["objective"]
    assert not can_edit_objective(pilot, objective)
    objective.filiere = world["mine"]
    objective.save()
    action = ActionFactory(objective=objective)
    assert can_edit_objective(pilot, objective)
    assert can_edit_action(pilot, action)
    assert can_edit_objective(world["m"][Role.OFFICE], objective)
    assert not can_edit_objective(world["m"][Role.DIRECTOR], objective)


def test_nothing_of_another_ght(world, other_ght, make_member):
    other_office = Membership.objects.get(user=make_member(other_ght, Role.OFFICE), ght=other_ght)
    assert not can_edit_action(other_office, world["in_mine"])
    assert not can_update_followup(other_office, world["in_mine"])
    assert not can_edit_objective(other_office, world["objective"])


def test_who_may_create(world, ght, make_member):
    assert can_create_action(world["m"][Role.OFFICE])
    assert can_create_action(world["m"][Role.PILOT])
    lone_pilot = Membership.objects.get(user=make_member(ght, Role.PILOT), ght=ght)
    assert not can_create_action(lone_pilot)
    assert not can_create_action(world["m"][Role.OWNER])
