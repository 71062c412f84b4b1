"""Checkpoints closed before snapshots froze the whole plan, completed from the history.

Each closed campaign gets: the actions of its plan that it did not follow, frozen « hors périmètre »
as the history says they stood at closing (status, health, progress, dates, code, title, lead);
the establishments concerned, the indicators' target dates and the achievement dates on its
snapshots; the filières. The history keeps none of the links, the target dates nor the filières: those
are read as they are today, and the campaign's ``completion_note`` says so on its pages.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

CLOSED = ("realisee", "abandonnee")
DONE = "realisee"
STOPPED = ("suspendue", "abandonnee")


def _text(value):
    return None if value is None else format(Decimal(value).normalize(), "f")


def _links(model, ids, column):
    linked = defaultdict(set)
    for action_id, other in model.objects.filter(action_id__in=ids).values_list("action_id", column):
        linked[action_id].add(other)
    return linked


def _indicators(apps, ght_id, ids, day):
    Indicator = apps.get_model("actions", "Indicator")
    Measurement = apps.get_model("actions", "Measurement")
    latest = {}
    for row in (
        Measurement.objects.filter(ght_id=ght_id, indicator__action_id__in=ids, measured_on__lte=day)
        .order_by("indicator_id", "-measured_on", "-id")
        .distinct("indicator_id")
    ):
        latest[row.indicator_id] = row
    by_action = defaultdict(list)
    target_dates = {}
    for indicator in Indicator.objects.filter(ght_id=ght_id, action_id__in=ids).order_by("id"):
        target_dates[indicator.pk] = indicator.target_date.isoformat() if indicator.target_date else None
        measure = latest.get(indicator.pk)
        by_action[indicator.action_id].append(
            {
                "indicator_id": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit,
                "baseline": _text(indicator.baseline),
                "target": _text(indicator.target),
                "target_date": target_dates[indicator.pk],
                "value": _text(measure.value) if measure else None,
                "measured_on": measure.measured_on.isoformat() if measure else None,
            }
        )
    return by_action, target_dates


def _dates(status, action):
    """The achievement / stop dates the action has today, when they fit the state at closing."""
    done_on = action.done_on if action is not None and status == DONE else None
    stopped_on = action.stopped_on if action is not None and status in STOPPED else None
    return done_on, stopped_on


def complete(apps, schema_editor):
    Campaign = apps.get_model("governance", "Campaign")
    Snapshot = apps.get_model("governance", "Snapshot")
    CheckpointUpdate = apps.get_model("governance", "CheckpointUpdate")
    Action = apps.get_model("actions", "Action")
    HistoricalAction = apps.get_model("actions", "HistoricalAction")
    Objective = apps.get_model("actions", "Objective")
    Filiere = apps.get_model("filieres", "Filiere")
    User = apps.get_model("ght_portal", "User")
    today = timezone.localdate()
    for campaign in Campaign.objects.filter(status="closed").order_by("pk"):
        day = timezone.localdate(campaign.closed_at)
        filieres = list(
            Filiere.objects.filter(ght_id=campaign.ght_id).order_by("code").values("id", "code", "name", "kind")
        )
        codes = {filiere["id"]: filiere["code"] for filiere in filieres}
        plan_ids = list(
            Action.objects.filter(ght_id=campaign.ght_id, plan_id=campaign.plan_id).values_list("pk", flat=True)
        )
        actions = {action.pk: action for action in Action.objects.filter(pk__in=plan_ids)}
        snapshots = list(Snapshot.objects.filter(campaign=campaign))
        followed = {snapshot.action_id for snapshot in snapshots if snapshot.action_id is not None}
        ids = sorted(set(plan_ids) | followed)
        establishments = _links(Action.establishments.through, ids, "establishment_id")
        filiere_links = _links(Action.filieres.through, ids, "filiere_id")
        indicators, target_dates = _indicators(apps, campaign.ght_id, ids, day)
        for snapshot in snapshots:
            snapshot.establishment_ids = sorted(establishments[snapshot.action_id]) if snapshot.action_id else []
            for item in snapshot.indicators:
                item.setdefault("target_date", target_dates.get(item["indicator_id"]))
            snapshot.done_on, snapshot.stopped_on = _dates(snapshot.status, actions.get(snapshot.action_id))
        Snapshot.objects.bulk_update(snapshots, ["establishment_ids", "indicators", "done_on", "stopped_on"])

        missing = [pk for pk in plan_ids if pk not in followed]
        states = {
            record.id: record
            for record in HistoricalAction.objects.filter(id__in=missing, history_date__lte=campaign.closed_at)
            .order_by("id", "-history_date", "-history_id")
            .distinct("id")
        }
        objectives = Objective.objects.filter(pk__in={r.objective_id for r in states.values() if r.objective_id})
        objectives = {objective.pk: objective for objective in objectives.select_related("axis")}
        owners = {
            user.pk: user for user in User.objects.filter(pk__in={r.owner_id for r in states.values() if r.owner_id})
        }
        submitted = {}
        for update in (
            CheckpointUpdate.objects.filter(
                action_id__in=missing, state="submitted", submitted_at__lte=campaign.closed_at
            )
            .order_by("action_id", "-submitted_at", "-id")
            .distinct("action_id")
        ):
            submitted[update.action_id] = (update.blocking_points, update.next_steps)
        added = []
        for pk, record in states.items():
            if record.history_type == "-":
                continue
            objective = objectives.get(record.objective_id)
            own = set(filiere_links[pk]) | ({objective.filiere_id} if objective and objective.filiere_id else set())
            own = sorted(own, key=lambda filiere_id: codes.get(filiere_id, ""))
            owner = owners.get(record.owner_id)
            done_on, stopped_on = _dates(record.status, actions.get(pk))
            blocking_points, next_steps = submitted.get(pk, ("", ""))
            added.append(
                Snapshot(
                    ght_id=campaign.ght_id,
                    campaign=campaign,
                    action_id=pk,
                    action_code=record.code,
                    action_title=record.title,
                    axis_position=objective.axis.position if objective else None,
                    axis_title=objective.axis.title if objective else "",
                    objective_title=objective.title if objective else "",
                    filiere_ids=own,
                    filiere_codes=[codes.get(filiere_id, "?") for filiere_id in own],
                    lead_establishment_id=record.lead_establishment_id,
                    establishment_ids=sorted(establishments[pk]),
                    in_scope=False,
                    owner_name=(owner.full_name or owner.email) if owner else "",
                    status=record.status,
                    health=record.health,
                    progress=record.progress,
                    start_date=record.start_date,
                    due_date=record.due_date,
                    done_on=done_on,
                    stopped_on=stopped_on,
                    is_late=record.due_date is not None and record.due_date < day and record.status not in CLOSED,
                    blocking_points=blocking_points,
                    next_steps=next_steps,
                    update_state="",
                    indicators=indicators[pk],
                    taken_at=campaign.closed_at,
                )
            )
        Snapshot.objects.bulk_create(added)
        campaign.frozen_filieres = filieres
        added_text = ngettext(
            "%(count)s action hors périmètre ajoutée", "%(count)s actions hors périmètre ajoutées", len(added)
        ) % {"count": len(added)}
        campaign.completion_note = (
            "Point d'étape clos avant que ses instantanés couvrent tout le projet : complété le %(day)s "
            "d'après l'historique des actions (%(added)s, telles qu'elles étaient à la clôture). Les "
            "filières, les établissements concernés, les dates de réalisation et les dates cibles des "
            "indicateurs sont ceux du jour de la complétion : l'historique ne les conserve pas."
        ) % {"day": date_format(today, "SHORT_DATE_FORMAT"), "added": added_text}
        campaign.save(update_fields=["frozen_filieres", "completion_note"])


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_snapshots_of_the_whole_plan"),
        ("actions", "0006_status_dates_from_history"),
        ("filieres", "0001_initial"),
    ]

    operations = [migrations.RunPython(complete, migrations.RunPython.noop)]
