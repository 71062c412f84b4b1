"""Each role against each write of the API, with valid data and the current ETag: the roles the web
allows succeed (through the same services), every other one gets 403 and changes nothing.

The world is the URL walk's (tests/url_samples.py): the pilot member pilots the sample filière, the
owner member owns the sample action, the director member is secretary of the sample instance (the
comité stratégique). Each request runs in a savepoint rolled back afterwards, so every role meets the
same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from actions.models import Action
from ght_portal.models import Membership, Role
from tests.api_helpers import base, token_for
from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory
from tests.url_samples import build_samples

OFFICE = {Role.OFFICE}
EDITORS = {Role.OFFICE, Role.PILOT}
FOLLOWERS = {Role.OFFICE, Role.PILOT, Role.OWNER}
RECORDERS = {Role.OFFICE, Role.DIRECTOR}  # and the instance's secretary (the director member)
REPORTERS = {Role.OFFICE, Role.DIRECTOR}
TODAY = timezone.localdate().isoformat()


@dataclass
class Write:
    method: str
    path: str  # relative to /api/v1/ghts/<slug>/, with {sample} placeholders
    body: dict
    allowed: set
    prepare: object = None  # callable(world) run first, inside the savepoint
    expected: set = field(default_factory=lambda: {200, 201, 204})

    @property
    def needs_etag(self) -> bool:
        return self.method in {"patch", "delete"} or self.path.count("/") > 2


def submit_first(world):
    """The sample update, submitted by its owner: only a submitted update can be sent back."""
    from governance.checkpoints.services import submit_update
    from governance.models import CheckpointUpdate

    update = CheckpointUpdate.objects.select_related("action").get(pk=world["samples"]["update_id"])
    owner = world["members"][Role.OWNER]
    submit_update(
        acting_user=owner,
        membership=Membership.objects.get(ght=world["ght"], user=owner),
        update=update,
        status="en_cours",
        health="on_track",
        progress=30,
        expected_version=update.action.version,
    )


def fail_first(world):
    """The sample report, failed: only a failed report can be retried."""
    from reports.models import Report

    Report.objects.filter(pk=world["samples"]["report_id"]).update(status=Report.Status.FAILED, error="Panne.")


def writes(world) -> list[Write]:
    members = world["members"]
    return [
        Write(
            "post",
            "establishments/",
            {"name": "CH de Fumel", "town": "Fumel", "kind": "proximite", "finess_juridique": "760780239"},
            OFFICE,
        ),
        Write("patch", "establishments/{establishment_id}/", {"town": "Agen", "role": "partner"}, OFFICE),
        Write("patch", "members/{membership_id}/", {"role": "owner"}, OFFICE),
        Write("patch", "members/{membership_id}/", {"is_active": False}, OFFICE),
        Write(
            "post", "invitations/", {"email": "nouvelle@exemple.fr", "full_name": "Nouvelle", "role": "reader"}, OFFICE
        ),
        Write("post", "invitations/{invitation_id}/resend/", {}, OFFICE),
        Write("delete", "invitations/{invitation_id}/", {}, OFFICE),
        Write("post", "plans/", {"title": "PMSP 2030", "start_year": 2030, "end_year": 2034}, OFFICE),
        Write("patch", "plans/{plan_id}/", {"title": "PMSP révisé", "axis_label": "ambition"}, OFFICE),
        Write("post", "axes/", {"plan": "{plan_id}", "position": 9, "title": "Attractivité"}, OFFICE),
        Write("patch", "axes/{axis_id}/", {"title": "Axe renommé"}, OFFICE),
        Write("post", "objectives/", {"axis": "{axis_id}", "position": 9, "title": "Nouvel objectif"}, OFFICE),
        Write("patch", "objectives/{objective_id}/", {"title": "Objectif reformulé"}, EDITORS),
        Write("patch", "objectives/{objective_id}/", {"filiere": None}, OFFICE),
        Write(
            "post",
            "actions/",
            {"plan": "{plan_id}", "code": "N-1", "title": "Nouvelle", "filieres": ["{filiere_id}"]},
            EDITORS,
        ),
        Write("patch", "actions/{action_id}/", {"title": "Nouvel intitulé"}, EDITORS),
        Write("post", "actions/{action_id}/followup/", {"progress": 55, "text": "Point de suivi."}, FOLLOWERS),
        Write("post", "actions/{action_id}/dates/", {"done_on": None, "reason": "Date inconnue."}, OFFICE),
        Write("post", "actions/{action_id}/propose/", {}, EDITORS),
        Write("post", "milestones/", {"action": "{action_id}", "title": "Jalon", "due_date": "2026-12-31"}, EDITORS),
        Write("patch", "milestones/{milestone_id}/", {"title": "Jalon renommé"}, EDITORS),
        Write("patch", "milestones/{milestone_id}/", {"done_on": TODAY}, FOLLOWERS),
        Write("delete", "milestones/{milestone_id}/", {}, EDITORS),
        Write("post", "indicators/", {"action": "{action_id}", "name": "Délai moyen", "unit": "jours"}, EDITORS),
        Write("patch", "indicators/{indicator_id}/", {"target": "12"}, EDITORS),
        Write("delete", "indicators/{indicator_id}/", {}, EDITORS),
        Write("post", "measurements/", {"indicator": "{indicator_id}", "measured_on": TODAY, "value": "7"}, FOLLOWERS),
        Write("post", "action-updates/", {"action": "{action_id}", "text": "Commentaire."}, FOLLOWERS),
        Write("post", "filieres/", {"name": "Cardiologie", "code": "card", "kind": "medical"}, OFFICE),
        Write("patch", "filieres/{filiere_id}/", {"strengths": "Une équipe soudée."}, EDITORS),
        Write("patch", "filieres/{filiere_id}/", {"name": "Filière renommée"}, OFFICE),
        Write(
            "post",
            "pilots/",
            {"filiere": "{filiere_id}", "user": members[Role.READER].pk, "pilot_role": "other"},
            OFFICE,
        ),
        Write("delete", "pilots/{pilot_id}/", {}, OFFICE),
        Write("post", "working-group-members/", {"filiere": "{filiere_id}", "user": members[Role.OWNER].pk}, OFFICE),
        Write("delete", "working-group-members/{working_group_member_id}/", {}, OFFICE),
        Write("post", "instances/", {"name": "Comité de pilotage", "short_name": "Copil", "kind": "autre"}, OFFICE),
        Write("patch", "instances/{instance_id}/", {"description": "Arbitre et décide."}, OFFICE),
        Write(
            "post",
            "meetings/",
            {"instance": "{instance_id}", "starts_at": "2026-06-01T14:00:00+02:00", "place": "Agen"},
            RECORDERS,
        ),
        Write("patch", "meetings/{meeting_id}/", {"minutes": "Compte rendu."}, RECORDERS),
        Write(
            "post",
            "instance-members/",
            {"instance": "{instance_id}", "user": members[Role.OWNER].pk, "role": "member"},
            OFFICE,
        ),
        Write("patch", "instance-members/{instance_member_id}/", {"role": "president"}, OFFICE),
        Write("delete", "instance-members/{instance_member_id}/", {}, OFFICE),
        Write("post", "agenda-items/", {"meeting": "{meeting_id}", "text": "Point divers"}, RECORDERS),
        Write("post", "agenda-items/", {"meeting": "{meeting_id}", "filiere": "{filiere_id}"}, RECORDERS),
        Write("post", "agenda-items/{agenda_item_id}/move/", {"direction": "down"}, RECORDERS),
        Write("delete", "agenda-items/{agenda_item_id}/", {}, RECORDERS),
        Write(
            "post",
            "meetings/{meeting_id}/attendance/",
            {"attendance": [{"user": members[Role.READER].pk, "status": "present"}]},
            RECORDERS,
        ),
        Write(
            "post",
            "decisions/",
            {"instance": "{instance_id}", "decided_on": TODAY, "kind": "information", "text": "Vu."},
            RECORDERS,
        ),
        Write(
            "post",
            "campaigns/",
            {"plan": world["second_plan"].pk, "title": "Point de juin", "deadline": "2099-06-30"},
            OFFICE,
        ),
        Write("post", "campaigns/{campaign_id}/close/", {}, OFFICE),
        Write(
            "post",
            "checkpoint-updates/{update_id}/submit/",
            {"status": "en_cours", "health": "at_risk", "progress": 40},
            FOLLOWERS,
        ),
        Write(
            "post",
            "checkpoint-updates/{update_id}/send-back/",
            {"comment": "Précisez les blocages."},
            OFFICE,
            submit_first,
        ),
        Write("post", "reports/", {"kind": "costrat", "plan": "{plan_id}", "year": 2025}, REPORTERS),
        Write("post", "reports/{report_id}/retry/", {}, REPORTERS, fail_first),
    ]


def fill(value, samples):
    if isinstance(value, str) and value.startswith("{"):
        return samples[value[1:-1]]
    if isinstance(value, list):
        return [fill(item, samples) for item in value]
    return value


@pytest.fixture
def world(ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    members = {role: make_member(ght, role) for role in Role.values}
    samples = build_samples(ght, members)
    second_plan = PlanFactory(ght=ght, title="Second projet", start_year=2030, end_year=2034)
    ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=second_plan)))
    clients = {}
    for role, user in members.items():
        clients[role] = APIClient()
        clients[role].credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return {"ght": ght, "members": members, "samples": samples, "second_plan": second_plan, "clients": clients}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_against_each_write(world, role):
    samples, office = world["samples"], world["clients"][Role.OFFICE]
    for write in writes(world):
        url = f"{base(world['ght'])}/{write.path.format(**samples)}"
        body = {key: fill(value, samples) for key, value in write.body.items()}
        with transaction.atomic():
            if write.prepare:
                write.prepare(world)
            headers = {}
            if write.needs_etag:
                object_url = url if write.method != "post" else url.rsplit("/", 2)[0] + "/"
                headers["HTTP_IF_MATCH"] = office.get(object_url)["ETag"]
            versions = dict(Action.objects.filter(ght=world["ght"]).values_list("pk", "version"))
            response = getattr(world["clients"][role], write.method)(url, body, format="json", **headers)
            if role in write.allowed:
                assert response.status_code in write.expected, f"{role} {write.method} {url}: {response.content}"
            else:
                assert response.status_code == 403, f"{role} {write.method} {url} → {response.status_code}"
                assert dict(Action.objects.filter(ght=world["ght"]).values_list("pk", "version")) == versions
            transaction.set_rollback(True)


def test_a_role_is_not_enough_the_object_decides(world, make_member):
    """A pilot of no filière of the action, an owner of another action, a director who is no secretary
    of the instance: the role passes the gate, the object refuses (403), as on the web pages."""
    ght, samples = world["ght"], world["samples"]
    clients = {}
    for role in (Role.PILOT, Role.OWNER, Role.DIRECTOR):
        clients[role] = APIClient()
        clients[role].credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(make_member(ght, role))}")
    office = world["clients"][Role.OFFICE]
    action_url = f"{base(ght)}/actions/{samples['action_id']}/"
    update_url = f"{base(ght)}/checkpoint-updates/{samples['update_id']}/"
    filiere_url = f"{base(ght)}/filieres/{samples['filiere_id']}/"
    objective_url = f"{base(ght)}/objectives/{samples['objective_id']}/"
    refused = [
        (Role.PILOT, "patch", action_url, {"title": "Non"}, action_url),
        (Role.PILOT, "post", f"{action_url}followup/", {"progress": 1}, action_url),
        (Role.PILOT, "patch", filiere_url, {"threats": "Non"}, filiere_url),
        (Role.PILOT, "patch", objective_url, {"title": "Non"}, objective_url),
        (Role.PILOT, "post", f"{base(ght)}/indicators/", {"action": samples["action_id"], "name": "Non"}, None),
        (Role.OWNER, "post", f"{action_url}followup/", {"progress": 1}, action_url),
        (
            Role.OWNER,
            "post",
            f"{update_url}submit/",
            {"status": "en_cours", "health": "on_track", "progress": 1},
            update_url,
        ),
        (Role.OWNER, "get", update_url, {}, None),
        (
            Role.DIRECTOR,
            "post",
            f"{base(ght)}/meetings/",
            {"instance": samples["instance_id"], "starts_at": "2026-06-01T10:00:00Z", "place": "Agen"},
            None,
        ),
        (
            Role.DIRECTOR,
            "patch",
            f"{base(ght)}/meetings/{samples['meeting_id']}/",
            {"minutes": "Non"},
            f"{base(ght)}/meetings/{samples['meeting_id']}/",
        ),
        (Role.DIRECTOR, "post", f"{base(ght)}/agenda-items/", {"meeting": samples["meeting_id"], "text": "Non"}, None),
        (
            Role.DIRECTOR,
            "post",
            f"{base(ght)}/meetings/{samples['meeting_id']}/attendance/",
            {"attendance": [{"user": world["members"][Role.READER].pk, "status": "absent"}]},
            f"{base(ght)}/meetings/{samples['meeting_id']}/",
        ),
    ]
    for role, method, url, body, etag_url in refused:
        headers = {"HTTP_IF_MATCH": office.get(etag_url)["ETag"]} if etag_url else {}
        response = getattr(clients[role], method)(url, body, format="json", **headers)
        assert response.status_code == 403, f"{role} {method} {url} → {response.status_code}"
    # The lists show each of them only what is theirs: no update for the other owner.
    assert clients[Role.OWNER].get(f"{base(ght)}/checkpoint-updates/").json()["count"] == 0
    assert world["clients"][Role.OWNER].get(f"{base(ght)}/checkpoint-updates/").json()["count"] == 1
