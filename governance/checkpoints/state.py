"""The state of a plan's actions as a checkpoint freezes it and as the live figures read it.

One reader for both: closing a checkpoint stores these records as snapshots, and ``reports.figures``
computes today's figures from the same records, so that the figures of a checkpoint equal, field by
field, the live figures of its closing day. A fixed number of queries whatever the number of actions
(the actions, their filière and establishment links, their indicators with the latest value, their
latest submitted checkpoint update), every row as a tuple: no model instance per action.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, F, Lookup, OuterRef, QuerySet, Subquery, Value

from actions.models import Action, Indicator, Measurement
from governance.models import CheckpointUpdate

ACTION_FIELDS = (
    "pk",
    "code",
    "title",
    "status",
    "health",
    "progress",
    "start_date",
    "due_date",
    "done_on",
    "stopped_on",
    "lead_establishment_id",
    "objective_id",
    "objective__title",
    "objective__filiere_id",
    "objective__axis__position",
    "objective__axis__title",
    "owner__full_name",
    "owner__email",
)


class IndicatorState(NamedTuple):
    pk: int
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_date: datetime.date | None
    value: Decimal | None  # the latest measurement
    measured_on: datetime.date | None


class ActionState(NamedTuple):
    pk: int
    code: str
    title: str
    status: str
    health: str
    progress: int
    start_date: datetime.date | None
    due_date: datetime.date | None
    done_on: datetime.date | None
    stopped_on: datetime.date | None
    lead_establishment_id: int | None
    objective_title: str
    axis_position: int | None
    axis_title: str
    filiere_ids: frozenset[int]  # its own and its objective's (actions.models.in_filieres_q)
    establishment_ids: frozenset[int]  # the establishments concerned (the lead apart)
    owner_name: str
    indicators: tuple[IndicatorState, ...]
    blocking_points: str  # of the latest submitted checkpoint update
    next_steps: str


class _AnyOf(Lookup):
    """``column = ANY(%s)``: used as a filter expression, never registered on a field."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def of_actions(ids: list[int], column: str = "action_id") -> _AnyOf:
    """Rows whose ``column`` is one of these action ids, the ids given as one array parameter.

    Related rows are fetched by the ids of the actions already loaded: an index lookup the query
    planner gets right even on tables without statistics (a join or a subquery on the plan did not,
    in the bench), and one parameter instead of 600 placeholders (which psycopg's client-side
    binding took longer to parse than the database took to answer).
    """
    return _AnyOf(F(column), Value(ids, output_field=ArrayField(BigIntegerField())))


def latest_submitted(ght_id: int, action_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(blocking points, next steps) of each action's latest submitted checkpoint update (one query)."""
    updates = (
        CheckpointUpdate.objects.filter(of_actions(action_ids), ght_id=ght_id, state=CheckpointUpdate.State.SUBMITTED)
        .order_by("action_id", "-submitted_at", "-id")
        .distinct("action_id")
        .values_list("action_id", "blocking_points", "next_steps")
    )
    return {action_id: (blocking, steps) for action_id, blocking, steps in updates}


def _links(model, ids: list[int], column: str) -> dict[int, set[int]]:
    linked: dict[int, set[int]] = defaultdict(set)
    for action_id, other_id in model.objects.filter(of_actions(ids)).values_list("action_id", column):
        linked[action_id].add(other_id)
    return linked


def _indicators(ght_id: int, ids: list[int]) -> dict[int, list[IndicatorState]]:
    """Each action's indicators, as entered, with their latest value (by the measurements' own index)."""
    last = Measurement.objects.filter(indicator_id=OuterRef("pk")).order_by("-measured_on", "-id")
    indicators: dict[int, list[IndicatorState]] = defaultdict(list)
    rows = (
        Indicator.objects.filter(of_actions(ids), ght_id=ght_id)
        .annotate(value=Subquery(last.values("value")[:1]), measured_on=Subquery(last.values("measured_on")[:1]))
        .order_by("id")
        .values_list("action_id", "pk", "name", "unit", "baseline", "target", "target_date", "value", "measured_on")
    )
    for action_id, *values in rows:
        indicators[action_id].append(IndicatorState(*values))
    return indicators


def read_states(ght_id: int, actions: QuerySet[Action], *, establishments: bool = True) -> list[ActionState]:
    """The state of ``actions`` (a queryset of the GHT's actions), by code: five queries, four without
    the establishments concerned (the live figures filter on them in SQL and show none of them)."""
    rows = list(actions.filter(ght_id=ght_id).order_by("code").values_list(*ACTION_FIELDS))
    ids = [row[0] for row in rows]
    filieres = _links(Action.filieres.through, ids, "filiere_id")
    concerned = _links(Action.establishments.through, ids, "establishment_id") if establishments else {}
    indicators = _indicators(ght_id, ids)
    submitted = latest_submitted(ght_id, ids)
    states = []
    for row in rows:
        (pk, code, title, status, health, progress, start, due, done_on, stopped_on, lead, objective_id,
         objective_title, objective_filiere, position, axis_title, name, email) = row  # fmt: skip
        own = filieres[pk] | ({objective_filiere} if objective_filiere is not None else set())
        blocking_points, next_steps = submitted.get(pk, ("", ""))
        states.append(
            ActionState(
                pk=pk,
                code=code,
                title=title,
                status=status,
                health=health,
                progress=progress,
                start_date=start,
                due_date=due,
                done_on=done_on,
                stopped_on=stopped_on,
                lead_establishment_id=lead,
                objective_title=objective_title or "",
                axis_position=position if objective_id is not None else None,
                axis_title=(axis_title or "") if objective_id is not None else "",
                filiere_ids=frozenset(own),
                establishment_ids=frozenset(concerned.get(pk, ())),
                owner_name=name or email or "",  # as User.__str__
                indicators=tuple(indicators[pk]),
                blocking_points=blocking_points,
                next_steps=next_steps,
            )
        )
    return states
