"""Sample objects for the URL walk (tests/test_url_walk.py): one value per URL keyword.

Builders run in order, each with the GHT, its members by role and the samples built so far, and
return the keywords they provide. The pilot pilots the sample filière and the owner owns the sample
action, so that the walk checks what each *role* may do; object-level refusals (another filière,
someone else's action) have their own tests. A new URL keyword needs a builder, or the walk fails.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from ght_portal.models import GHT, Membership, Role
from ght_portal.services import invite_member
from tests.factories import EstablishmentFactory, FiliereFactory, MembershipFactory, PilotFactory, UserFactory
from tests.helpers import image_bytes


def core_samples(ght: GHT, members: dict, samples: dict) -> dict:
    ght.logo.save("logo.png", ContentFile(image_bytes("PNG")), save=True)
    invitation = invite_member(
        acting_user=members[Role.OFFICE],
        ght=ght,
        email=f"invite@{ght.slug}.test",
        full_name="Invitée",
        role=Role.READER,
    )
    membership = MembershipFactory(ght=ght, user=UserFactory(), role=Role.READER)
    return {
        "ght_slug": ght.slug,
        "establishment_id": EstablishmentFactory(ght=ght).pk,
        "invitation_id": invitation.pk,
        "membership_id": membership.pk,
    }


def filiere_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """A filière piloted by the pilot member (with the guardian grant the app gives pilots)."""
    filiere = FiliereFactory(ght=ght)
    PilotFactory(filiere=filiere, user=members[Role.PILOT])
    assign_perm("filieres.pilot_filiere", members[Role.PILOT], filiere)
    return {"filiere_id": filiere.pk}


SAMPLE_BUILDERS = [core_samples, filiere_samples]


def build_samples(ght: GHT, members: dict) -> dict:
    samples: dict = {}
    for builder in SAMPLE_BUILDERS:
        samples.update(builder(ght, members, samples))
    return samples


def action_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """An action of the sample filière, owned by the owner member; its plan, axis and objective too
    unless an earlier builder made them (the plan stays a draft, so as not to clash with one in force)."""
    from actions.models import Action, Axis, Objective, Plan
    from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory

    plan = Plan.objects.filter(pk=samples["plan_id"]).first() if "plan_id" in samples else PlanFactory(ght=ght)
    axis = Axis.objects.filter(pk=samples["axis_id"]).first() if "axis_id" in samples else AxisFactory(plan=plan)
    objective = (
        Objective.objects.filter(pk=samples["objective_id"]).first()
        if "objective_id" in samples
        else ObjectiveFactory(axis=axis)
    )
    action = ActionFactory(objective=objective, owner=members[Role.OWNER])
    action.filieres.add(samples["filiere_id"])
    assert isinstance(action, Action)
    return {"plan_id": plan.pk, "axis_id": axis.pk, "objective_id": objective.pk, "action_id": action.pk}


SAMPLE_BUILDERS.append(action_samples)


def plan_structure_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """Plan, axis and objective (reused when an earlier builder made them), the objective belonging to
    the sample filière so that the pilot member may edit it; a second pilot and a working-group member
    of the sample filière, for the removal URLs (removing them leaves the pilot member's grant intact)."""
    from actions.models import Axis, Objective, Plan
    from tests.factories import AxisFactory, ObjectiveFactory, PlanFactory, WorkingGroupMemberFactory

    plan = Plan.objects.get(pk=samples["plan_id"]) if "plan_id" in samples else PlanFactory(ght=ght)
    axis = Axis.objects.get(pk=samples["axis_id"]) if "axis_id" in samples else AxisFactory(plan=plan)
    if "objective_id" in samples:
        Objective.objects.filter(pk=samples["objective_id"]).update(filiere_id=samples["filiere_id"])
        objective_id = samples["objective_id"]
    else:
        objective_id = ObjectiveFactory(axis=axis, filiere_id=samples["filiere_id"]).pk
    other_pilot = UserFactory()
    MembershipFactory(ght=ght, user=other_pilot, role=Role.PILOT)
    pilot = PilotFactory(filiere_id=samples["filiere_id"], user=other_pilot)
    group_member = WorkingGroupMemberFactory(filiere_id=samples["filiere_id"], user=members[Role.READER])
    return {
        "plan_id": plan.pk,
        "axis_id": axis.pk,
        "objective_id": objective_id,
        "pilot_id": pilot.pk,
        "working_group_member_id": group_member.pk,
    }


SAMPLE_BUILDERS.append(plan_structure_samples)


def action_detail_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """A milestone and an indicator (with one measurement) of the sample action, which the owner
    member owns and whose filière the pilot member pilots."""
    from actions.models import Action
    from tests.factories import IndicatorFactory, MeasurementFactory, MilestoneFactory

    action = Action.objects.get(pk=samples["action_id"])
    indicator = IndicatorFactory(action=action)
    MeasurementFactory(indicator=indicator)
    return {"milestone_id": MilestoneFactory(action=action).pk, "indicator_id": indicator.pk}


SAMPLE_BUILDERS.append(action_detail_samples)


def checkpoint_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """An open campaign on the sample plan (all its open actions), and the update of the sample action
    (owned by the owner member, in the filière the pilot member pilots)."""
    import datetime

    from actions.models import Plan
    from governance.checkpoints.services import open_campaign

    office = members[Role.OFFICE]
    campaign = open_campaign(
        acting_user=office,
        membership=Membership.objects.get(ght=ght, user=office),
        plan=Plan.objects.get(pk=samples["plan_id"]),
        title="Point d'étape de test",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        all_filieres=True,
    )
    update = campaign.updates.get(action_id=samples["action_id"])
    return {"campaign_id": campaign.pk, "update_id": update.pk}


SAMPLE_BUILDERS.append(checkpoint_samples)


def governance_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """The GHT's comité stratégique (created with the GHT) whose secretary is the DIRECTOR member (the
    role that records for an instance); a seat of the READER member, for the seat URLs; a meeting with
    one agenda item."""
    from django.utils import timezone

    from governance.models import AgendaItem, Instance, InstanceMember, Meeting

    instance = Instance.objects.get(ght=ght, kind=Instance.Kind.STRATEGIC)
    InstanceMember.objects.create(
        instance=instance, user=members[Role.DIRECTOR], role=InstanceMember.SeatRole.SECRETARY
    )
    seat = InstanceMember.objects.create(instance=instance, user=members[Role.READER])
    meeting = Meeting.objects.create(instance=instance, starts_at=timezone.now(), place="Salle du conseil")
    item = AgendaItem.objects.create(meeting=meeting, position=1, text="Point libre")
    return {
        "instance_id": instance.pk,
        "instance_member_id": seat.pk,
        "meeting_id": meeting.pk,
        "agenda_item_id": item.pk,
    }


SAMPLE_BUILDERS.append(governance_samples)


def report_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """A finished annual review of the sample plan, asked by the DIRECTOR member, with a stored file
    (the walk's POSTs re-request or retry it: eager mode would build a PDF, hence a finished one)."""
    from actions.models import Plan
    from reports.models import Report

    plan = Plan.objects.get(pk=samples["plan_id"])
    report = Report.objects.create(
        kind=Report.Kind.STRATEGIC_REVIEW,
        plan=plan,
        year=plan.start_year,
        requested_by=members[Role.DIRECTOR],
        status=Report.Status.DONE,
    )
    report.file.save("bilan.pdf", ContentFile(b"%PDF-1.7 sample"), save=True)
    return {"report_id": report.pk}


SAMPLE_BUILDERS.append(report_samples)


def api_samples(ght: GHT, members: dict, samples: dict) -> dict:
    """What only the API addresses on its own: a measurement and a log entry of the sample action, a
    decision of the sample instance (the web lists them inside their parents' pages)."""
    import datetime

    from actions.models import ActionUpdate, Measurement
    from governance.models import Decision

    measurement = Measurement.objects.filter(indicator_id=samples["indicator_id"]).first()
    comment = ActionUpdate.objects.create(
        action_id=samples["action_id"], ght=ght, author=members[Role.OWNER], kind=ActionUpdate.Kind.COMMENT, text="Vu."
    )
    decision = Decision.objects.create(
        instance_id=samples["instance_id"],
        ght=ght,
        decided_on=datetime.date(2025, 1, 15),
        kind=Decision.Kind.INFORMATION,
        text="Information du comité.",
    )
    return {"measurement_id": measurement.pk, "action_update_id": comment.pk, "decision_id": decision.pk}


SAMPLE_BUILDERS.append(api_samples)
