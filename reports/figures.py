"""Every figure of the GHT dashboard for one scope, computed once, for the page, its Excel export and
the PDF reviews alike — so that what a director reads in a PDF is exactly what the portal shows.

Interface (used by reports/dashboard/views.py, reports/dashboard/exports.py and the PDF builders):

- ``Scope(ght, plan, filiere=None, establishment=None, campaign=None, medical_only=False)``: what to
  count. ``campaign`` is a *closed* checkpoint of the plan: the figures then come from its frozen
  snapshots, as they stood at closing; ``None`` means today's live actions. ``medical_only`` keeps the
  actions of medical filières (the CMG's review). A scope whose objects are not of its GHT, or whose
  campaign is open or of another plan, is refused (``ValueError``): the caller resolves ids through
  the GHT first (``get_for_ght_or_404``), this is the safety net for jobs.
- ``compute(scope) -> Figures``: a fixed number of queries whatever the size (6 live, 4 from a
  snapshot; none per action). ``Figures`` and its rows are frozen dataclasses of plain values, every
  label already in French (see each class for its fields).

Definitions, the same on both sources:

- an action is in a filière when tagged with it or when its objective is the filière's
  (``actions.models.in_filieres_q``; snapshots froze that union in ``filiere_ids``), and
  concerns an establishment when it leads it or lists it among the establishments concerned
  (snapshots froze only the lead: the establishments concerned are read from the action today);
- « en retard » is ``actions.models.is_late`` (computed today for live data, frozen at closing for a
  snapshot); « à risque » is a health at risk or off track on an action neither done nor abandoned;
- blocking points and next steps come from the action's latest submitted checkpoint update (live) or
  from the snapshot;
- progress across checkpoints: the plan's last closed campaigns (up to the chosen one), from their
  snapshots, in the same scope;
- « % du chemin »: how far the latest value has gone from the baseline to the target (may be below 0
  or above 100; None without baseline, target or value).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db.models import Avg, BigIntegerField, Count, F, Lookup, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import CLOSED_STATUSES, Action, ActionStatus, Indicator, Measurement, Plan, in_filieres_q
from filieres.models import Filiere
from ght_portal.formats import french_date
from ght_portal.models import GHT, Establishment
from ght_portal.tenancy import scoped
from governance.checkpoints.comparison import IndicatorValue, Row, row_from_action, row_from_snapshot
from governance.checkpoints.comparison import _decimal as decimal_or_none  # the snapshots' values as stored
from governance.models import Campaign, CheckpointUpdate, Snapshot

UPCOMING_DAYS = 90
LAST_CHECKPOINTS = 6
AT_RISK_HEALTHS = frozenset({Action.Health.AT_RISK, Action.Health.OFF_TRACK})
HEALTH_ORDER = {Action.Health.OFF_TRACK: 0, Action.Health.AT_RISK: 1, Action.Health.ON_TRACK: 2}
NO_GROUP = ""
# What the live figures read of an action, as one row of values (no model instances: for 600 actions
# with their objective, axis and owner, building ~2,400 instances was a third of the time).
LIVE_FIELDS = (
    "pk",
    "code",
    "title",
    "status",
    "health",
    "progress",
    "due_date",
    "objective_id",
    "objective__filiere_id",
    "objective__axis__position",
    "objective__axis__title",
    "owner__full_name",
    "owner__email",
)


class _LiveAxis(NamedTuple):
    position: int
    title: str


class _LiveObjective(NamedTuple):
    axis: _LiveAxis
    filiere_id: int | None


class _LiveAction(NamedTuple):
    """The attributes of an Action that ``governance.checkpoints.comparison.row_from_action`` reads."""

    pk: int
    code: str
    title: str
    status: str
    health: str
    progress: int
    due_date: datetime.date | None
    objective: _LiveObjective | None
    owner_name: str

    @classmethod
    def from_values(cls, row: tuple) -> _LiveAction:
        pk, code, title, status, health, progress, due, objective_id, filiere_id, position, axis, name, email = row
        objective = _LiveObjective(_LiveAxis(position, axis), filiere_id) if objective_id is not None else None
        owner = name or email or ""  # as User.__str__
        return cls(pk, code, title, status, health, progress, due, objective, owner)


@dataclass(frozen=True)
class Scope:
    ght: GHT
    plan: Plan
    filiere: Filiere | None = None
    establishment: Establishment | None = None
    campaign: Campaign | None = None
    medical_only: bool = False

    def __post_init__(self) -> None:
        for name in ("plan", "filiere", "establishment", "campaign"):
            value = getattr(self, name)
            if value is not None and value.ght_id != self.ght.pk:
                raise ValueError(f"Scope: {name} {value.pk} is not of GHT {self.ght.pk}")
        if self.campaign is not None and (self.campaign.is_open or self.campaign.plan_id != self.plan.pk):
            raise ValueError(f"Scope: campaign {self.campaign.pk} is not a closed campaign of plan {self.plan.pk}")

    @property
    def label(self) -> str:
        """« PMSP 2024–2029 · filière GER — Gériatrie · CH d'Agen · filières médicales »."""
        parts = [str(self.plan)]
        if self.filiere is not None:
            parts.append(_("filière %(name)s") % {"name": self.filiere})
        if self.establishment is not None:
            parts.append(self.establishment.name)
        if self.medical_only:
            parts.append(_("filières médicales"))
        return " · ".join(parts)


@dataclass(frozen=True)
class StatusCount:
    """One status of the plan (« En cours »…) and how many of its actions are late."""

    key: str
    label: str
    count: int
    late: int


@dataclass(frozen=True)
class HealthCount:
    key: str  # on_track, at_risk, off_track (the RAG colour)
    label: str
    count: int


@dataclass(frozen=True)
class GroupRow:
    """An axis or a filière. ``count`` = done + late + in_progress + to_start + stopped (on-time
    buckets, for the stacked bars); ``at_risk`` overlaps them (a health, not a status)."""

    key: str  # "axe:2", "filiere:12", or "" for the actions without axis / filière
    label: str
    count: int
    done: int
    late: int
    at_risk: int
    in_progress: int
    to_start: int
    stopped: int  # suspended (on time) or abandoned
    mean_progress: int | None


@dataclass(frozen=True)
class ActionLine:
    """One action as the source saw it (``action_id`` None: deleted since the snapshot)."""

    action_id: int | None
    code: str
    title: str
    axis_label: str
    filiere_codes: tuple[str, ...]
    owner_name: str
    status: str
    status_label: str
    health: str
    health_label: str
    progress: int
    due_date: datetime.date | None
    is_late: bool
    is_at_risk: bool
    blocking_points: str
    next_steps: str


@dataclass(frozen=True)
class CheckpointPoint:
    """A closed checkpoint of the plan, summed over the scope's snapshots."""

    campaign_id: int
    title: str
    closed_on: datetime.date
    count: int
    mean_progress: int | None
    done: int
    late: int

    @property
    def done_percent(self) -> int | None:
        return round(100 * self.done / self.count) if self.count else None

    @property
    def late_percent(self) -> int | None:
        return round(100 * self.late / self.count) if self.count else None


@dataclass(frozen=True)
class IndicatorLine:
    indicator_id: int
    action_id: int | None
    action_code: str
    action_title: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_date: datetime.date | None
    value: Decimal | None
    measured_on: datetime.date | None
    percent: int | None  # of the way from baseline to target


@dataclass(frozen=True)
class Figures:
    scope: Scope
    source_label: str  # « Données du portail au 1er décembre 2026 » / « Instantané du point d'étape … »
    as_of: datetime.date
    is_snapshot: bool
    total: int
    done: int
    late: int
    at_risk: int
    mean_progress: int | None
    by_status: tuple[StatusCount, ...]  # every status, in the model's order
    by_health: tuple[HealthCount, ...]  # on track, at risk, off track
    by_axis: tuple[GroupRow, ...]  # by axis position, « sans axe » last
    by_filiere: tuple[GroupRow, ...]  # by code (an action in two filières counts in both), « sans filière » last
    actions: tuple[ActionLine, ...]  # every action of the scope, by axis and code
    late_actions: tuple[ActionLine, ...]  # by due date, most overdue first
    at_risk_actions: tuple[ActionLine, ...]  # off track first, then by due date (late ones included)
    upcoming: tuple[ActionLine, ...]  # open actions due within UPCOMING_DAYS of ``as_of``, by due date
    checkpoints: tuple[CheckpointPoint, ...]  # oldest first, at most LAST_CHECKPOINTS
    indicators: tuple[IndicatorLine, ...]  # by action code, then as entered

    @property
    def scope_label(self) -> str:
        return self.scope.label

    @property
    def upcoming_until(self) -> datetime.date:
        return self.as_of + datetime.timedelta(days=UPCOMING_DAYS)


# --- Internal: one record per action, whichever the source ---------------------------------------


@dataclass(frozen=True)
class _Item:
    row: Row  # governance.checkpoints.comparison's picture of the action (status, health, progress, late, axis)
    action_id: int | None
    filiere_ids: frozenset[int]
    owner_name: str
    due_date: datetime.date | None
    blocking_points: str
    next_steps: str
    baselines: dict[int, Decimal | None] = field(default_factory=dict)  # indicator id → baseline


def _action_filter(scope: Scope, medical_ids: Iterable[int]) -> Q:
    """The scope's live actions (beyond their plan), as one condition (joins: use as a subquery)."""
    condition = Q()
    if scope.filiere is not None:
        condition &= in_filieres_q(scope.filiere)
    if scope.establishment is not None:
        condition &= Q(lead_establishment=scope.establishment) | Q(establishments=scope.establishment)
    if scope.medical_only:
        medical = list(medical_ids)
        condition &= in_filieres_q(medical)
    return condition


def _snapshot_filter(scope: Scope, medical_ids: Iterable[int], prefix: str = "") -> Q:
    """The same scope on snapshots (``prefix`` "snapshots__" when reached from the campaign)."""
    condition = Q()
    if scope.filiere is not None:
        condition &= Q(**{f"{prefix}filiere_ids__contains": [scope.filiere.pk]})
    if scope.establishment is not None:
        concerned = Action.establishments.through.objects.filter(establishment_id=scope.establishment.pk)
        condition &= Q(**{f"{prefix}lead_establishment_id": scope.establishment.pk}) | Q(
            **{f"{prefix}action_id__in": concerned.values("action_id")}
        )
    if scope.medical_only:
        condition &= Q(**{f"{prefix}filiere_ids__overlap": list(medical_ids)})
    return condition


class _AnyOf(Lookup):
    """``column = ANY(%s)``: used as a filter expression, never registered on a field."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _of_actions(ids: list[int], column: str = "action_id") -> _AnyOf:
    """Rows whose ``column`` is one of these action ids, the ids given as one array parameter.

    Related rows are fetched by the ids of the actions already loaded: an index lookup the query
    planner gets right even on tables without statistics (a join or a subquery on the plan did not,
    in the bench), and one parameter instead of 600 placeholders (which psycopg's client-side
    binding took longer to parse than the database took to answer).
    """
    return _AnyOf(F(column), Value(ids, output_field=ArrayField(BigIntegerField())))


def _latest_submitted(ght: GHT, action_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(blocking points, next steps) of each action's latest submitted checkpoint update (one query)."""
    updates = (
        scoped(CheckpointUpdate, ght)
        .filter(_of_actions(action_ids), state=CheckpointUpdate.State.SUBMITTED)
        .order_by("action_id", "-submitted_at", "-id")
        .distinct("action_id")
        .values_list("action_id", "blocking_points", "next_steps")
    )
    return {action_id: (blocking, steps) for action_id, blocking, steps in updates}


def _live_items(scope: Scope, today: datetime.date, codes: dict[int, str], medical_ids) -> tuple[list, list]:
    """Today's actions of the scope and their indicators: four queries (actions, their filière links,
    indicators with their latest value, latest submitted checkpoint updates), all as tuples."""
    actions = scoped(Action, scope.ght).filter(plan=scope.plan)
    condition = _action_filter(scope, medical_ids)
    if condition:
        actions = actions.filter(pk__in=scoped(Action, scope.ght).filter(condition).values("pk"))
    actions = [_LiveAction.from_values(row) for row in actions.order_by("code").values_list(*LIVE_FIELDS)]
    ids = [action.pk for action in actions]
    links: dict[int, set[int]] = defaultdict(set)
    for action_id, filiere_id in Action.filieres.through.objects.filter(_of_actions(ids)).values_list(
        "action_id", "filiere_id"
    ):
        links[action_id].add(filiere_id)
    # The latest value of each indicator (of this GHT: the outer query is scoped), by its own index.
    last = Measurement.objects.filter(indicator_id=OuterRef("pk")).order_by("-measured_on")
    indicators: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        scoped(Indicator, scope.ght)
        .filter(_of_actions(ids))
        .annotate(value=Subquery(last.values("value")[:1]), measured_on=Subquery(last.values("measured_on")[:1]))
        .order_by("id")
        .values_list("pk", "action_id", "name", "unit", "baseline", "target", "target_date", "value", "measured_on")
    ):
        indicators[row[1]].append(row)
    submitted = _latest_submitted(scope.ght, ids)
    items, target_dates = [], {}
    for action in actions:
        # The filière rule of actions.models.in_filieres_q, on the links loaded above.
        filiere_ids = set(links[action.pk])
        if action.objective is not None and action.objective.filiere_id is not None:
            filiere_ids.add(action.objective.filiere_id)
        values, baselines = [], {}
        for pk, _action_id, name, unit, baseline, target, target_date, value, measured_on in indicators[action.pk]:
            target_dates[pk], baselines[pk] = target_date, baseline
            values.append(IndicatorValue(pk, name, unit, value, measured_on, target))
        blocking_points, next_steps = submitted.get(action.pk, ("", ""))
        items.append(
            _Item(
                row=row_from_action(
                    action,
                    filiere_codes=sorted(codes[pk] for pk in filiere_ids if pk in codes),
                    indicators=values,
                    today=today,
                ),
                action_id=action.pk,
                filiere_ids=frozenset(filiere_ids),
                owner_name=action.owner_name,
                due_date=action.due_date,
                blocking_points=blocking_points,
                next_steps=next_steps,
                baselines=baselines,
            )
        )
    return items, target_dates


def _snapshot_items(scope: Scope, medical_ids) -> tuple[list, dict]:
    """The campaign's frozen snapshots in the scope (one query) and the target dates of their
    indicators, which snapshots do not freeze (one query, read from the indicators today)."""
    snapshots = list(
        scoped(Snapshot, scope.ght)
        .filter(campaign=scope.campaign)
        .filter(_snapshot_filter(scope, medical_ids))
        .defer("achievements", "objective_title", "start_date", "update_state", "taken_at")
        .order_by("action_code")
    )
    items = []
    indicator_ids = []
    for snapshot in snapshots:
        indicator_ids += [item["indicator_id"] for item in snapshot.indicators]
        items.append(
            _Item(
                row=row_from_snapshot(snapshot),
                action_id=snapshot.action_id,
                filiere_ids=frozenset(snapshot.filiere_ids),
                owner_name=snapshot.owner_name,
                due_date=snapshot.due_date,
                blocking_points=snapshot.blocking_points,
                next_steps=snapshot.next_steps,
                baselines={item["indicator_id"]: decimal_or_none(item.get("baseline")) for item in snapshot.indicators},
            )
        )
    target_dates = dict(scoped(Indicator, scope.ght).filter(pk__in=indicator_ids).values_list("pk", "target_date"))
    return items, target_dates


# --- Sums ------------------------------------------------------------------------------------------


class _Tally:
    def __init__(self, key: str, label: str) -> None:
        self.key, self.label = key, label
        self.count = self.done = self.late = self.at_risk = 0
        self.in_progress = self.to_start = self.stopped = self.progress = 0

    def add(self, row: Row, at_risk: bool) -> None:
        self.count += 1
        self.progress += row.progress
        self.at_risk += at_risk
        if row.status == ActionStatus.DONE:
            self.done += 1
        elif row.is_late:
            self.late += 1
        elif row.status == ActionStatus.IN_PROGRESS:
            self.in_progress += 1
        elif row.status == ActionStatus.TO_START:
            self.to_start += 1
        else:
            self.stopped += 1

    def freeze(self) -> GroupRow:
        return GroupRow(
            key=self.key,
            label=self.label,
            count=self.count,
            done=self.done,
            late=self.late,
            at_risk=self.at_risk,
            in_progress=self.in_progress,
            to_start=self.to_start,
            stopped=self.stopped,
            mean_progress=round(self.progress / self.count) if self.count else None,
        )


def _is_at_risk(row: Row) -> bool:
    return row.health in AT_RISK_HEALTHS and row.status not in CLOSED_STATUSES


def _percent_of_way(baseline: Decimal | None, target: Decimal | None, value: Decimal | None) -> int | None:
    if baseline is None or target is None or value is None or target == baseline:
        return None
    return round(100 * (value - baseline) / (target - baseline))


def _checkpoints(scope: Scope, medical_ids) -> tuple[CheckpointPoint, ...]:
    """The plan's last closed campaigns (up to the chosen one), summed over the scope: one query."""
    campaigns = scoped(Campaign, scope.ght).closed().filter(plan=scope.plan)
    if scope.campaign is not None:
        campaigns = campaigns.filter(closed_at__lte=scope.campaign.closed_at)
    in_scope = _snapshot_filter(scope, medical_ids, prefix="snapshots__")
    rows = campaigns.annotate(
        n=Count("snapshots", filter=in_scope or None),
        mean=Avg("snapshots__progress", filter=in_scope or None),
        n_done=Count("snapshots", filter=in_scope & Q(snapshots__status=ActionStatus.DONE)),
        n_late=Count("snapshots", filter=in_scope & Q(snapshots__is_late=True)),
    ).order_by("-closed_at", "-id")[:LAST_CHECKPOINTS]
    points = [
        CheckpointPoint(
            campaign_id=campaign.pk,
            title=campaign.title,
            closed_on=timezone.localdate(campaign.closed_at),
            count=campaign.n,
            mean_progress=round(campaign.mean) if campaign.mean is not None else None,
            done=campaign.n_done,
            late=campaign.n_late,
        )
        for campaign in rows
    ]
    return tuple(reversed(points))


def _line(item: _Item, axis_word: str, status_labels: dict, health_labels: dict) -> ActionLine:
    row = item.row
    return ActionLine(
        action_id=item.action_id,
        code=row.code,
        title=row.title,
        axis_label=_axis_label(row, axis_word),
        filiere_codes=row.filiere_codes,
        owner_name=item.owner_name,
        status=row.status,
        status_label=status_labels.get(row.status, row.status),
        health=row.health,
        health_label=health_labels.get(row.health, row.health),
        progress=row.progress,
        due_date=item.due_date,
        is_late=row.is_late,
        is_at_risk=_is_at_risk(row),
        blocking_points=item.blocking_points,
        next_steps=item.next_steps,
    )


def _axis_label(row: Row, axis_word: str) -> str:
    if row.axis_position is None:
        return _("Sans axe")
    return f"{axis_word} {row.axis_position} — {row.axis_title}"


def compute(scope: Scope, *, today: datetime.date | None = None) -> Figures:
    """Every figure of the dashboard for ``scope`` (``today`` defaults to the local date)."""
    today = today or timezone.localdate()
    filieres = list(scoped(Filiere, scope.ght).only("pk", "code", "name", "kind").order_by("code"))
    codes = {filiere.pk: filiere.code for filiere in filieres}
    medical_ids = [filiere.pk for filiere in filieres if filiere.kind == Filiere.Kind.MEDICAL]
    if scope.campaign is None:
        as_of = today
        items, target_dates = _live_items(scope, today, codes, medical_ids)
        source_label = _("Données du portail au %(date)s") % {"date": french_date(today)}
    else:
        as_of = timezone.localdate(scope.campaign.closed_at)
        items, target_dates = _snapshot_items(scope, medical_ids)
        source_label = _("Instantané du point d'étape « %(title)s », clos le %(date)s") % {
            "title": scope.campaign.title,
            "date": french_date(as_of),
        }

    axis_word = scope.plan.get_axis_label_display()
    status_labels = {value: str(label) for value, label in ActionStatus.choices}
    health_labels = {value: str(label) for value, label in Action.Health.choices}
    statuses = {value: [0, 0] for value in ActionStatus.values}
    healths = dict.fromkeys(Action.Health.values, 0)
    axes: dict[tuple, _Tally] = {}
    by_filiere: dict[int | str, _Tally] = {}
    names = {filiere.pk: str(filiere) for filiere in filieres}
    total = _Tally("", "")
    lines, indicator_lines = [], []
    items.sort(key=lambda item: (item.row.axis_position is None, item.row.axis_position or 0, item.row.code))
    for item in items:
        row = item.row
        at_risk = _is_at_risk(row)
        total.add(row, at_risk)
        counts = statuses.setdefault(row.status, [0, 0])
        counts[0] += 1
        counts[1] += row.is_late
        healths[row.health] = healths.get(row.health, 0) + 1
        axis_key = (row.axis_position is None, row.axis_position or 0)
        if axis_key not in axes:
            key = f"axe:{row.axis_position}" if row.axis_position is not None else NO_GROUP
            axes[axis_key] = _Tally(key, _axis_label(row, axis_word))
        axes[axis_key].add(row, at_risk)
        known = [pk for pk in item.filiere_ids if pk in names]
        for pk in known or [NO_GROUP]:
            if pk not in by_filiere:
                label = names[pk] if pk != NO_GROUP else _("Sans filière")
                by_filiere[pk] = _Tally(f"filiere:{pk}" if pk != NO_GROUP else NO_GROUP, label)
            by_filiere[pk].add(row, at_risk)
        lines.append(_line(item, axis_word, status_labels, health_labels))
        for value in row.indicators:
            baseline = item.baselines.get(value.indicator_id)
            indicator_lines.append(
                IndicatorLine(
                    indicator_id=value.indicator_id,
                    action_id=item.action_id,
                    action_code=row.code,
                    action_title=row.title,
                    name=value.name,
                    unit=value.unit,
                    baseline=baseline,
                    target=value.target,
                    target_date=target_dates.get(value.indicator_id),
                    value=value.value,
                    measured_on=value.measured_on,
                    percent=_percent_of_way(baseline, value.target, value.value),
                )
            )

    far = datetime.date.max
    late_actions = sorted((line for line in lines if line.is_late), key=lambda line: (line.due_date or far, line.code))
    at_risk_actions = sorted(
        (line for line in lines if line.is_at_risk),
        key=lambda line: (HEALTH_ORDER.get(line.health, 9), line.due_date or far, line.code),
    )
    until = as_of + datetime.timedelta(days=UPCOMING_DAYS)
    upcoming = sorted(
        (
            line
            for line in lines
            if line.status not in CLOSED_STATUSES and line.due_date and as_of <= line.due_date <= until
        ),
        key=lambda line: (line.due_date, line.code),
    )
    indicator_lines.sort(key=lambda line: line.action_code)  # stable: each action's indicators as entered
    filiere_rows = [by_filiere[pk].freeze() for pk in sorted(codes, key=codes.get) if pk in by_filiere]
    if NO_GROUP in by_filiere:
        filiere_rows.append(by_filiere[NO_GROUP].freeze())
    summary = total.freeze()
    return Figures(
        scope=scope,
        source_label=source_label,
        as_of=as_of,
        is_snapshot=scope.campaign is not None,
        total=summary.count,
        done=summary.done,
        late=summary.late,
        at_risk=summary.at_risk,
        mean_progress=summary.mean_progress,
        by_status=tuple(
            StatusCount(key=value, label=status_labels[value], count=statuses[value][0], late=statuses[value][1])
            for value in ActionStatus.values
        ),
        by_health=tuple(
            HealthCount(key=value, label=health_labels[value], count=healths.get(value, 0))
            for value in Action.Health.values
        ),
        by_axis=tuple(axes[key].freeze() for key in sorted(axes)),
        by_filiere=tuple(filiere_rows),
        actions=tuple(lines),
        late_actions=tuple(late_actions),
        at_risk_actions=tuple(at_risk_actions),
        upcoming=tuple(upcoming),
        checkpoints=_checkpoints(scope, medical_ids),
        indicators=tuple(indicator_lines),
    )
