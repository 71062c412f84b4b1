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
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import CLOSED_STATUSES, Action, ActionStatus, Plan, in_filieres_q, running_in_q
from filieres.models import Filiere
from ght_portal.formats import french_date
from ght_portal.models import GHT, Establishment
from ght_portal.tenancy import scoped
from governance.checkpoints.comparison import Row, row_from_snapshot, row_from_state
from governance.checkpoints.comparison import _decimal as decimal_or_none  # the snapshots' values as stored
from governance.checkpoints.state import read_states
from governance.models import Campaign, Snapshot

UPCOMING_DAYS = 90
LAST_CHECKPOINTS = 6
AT_RISK_HEALTHS = frozenset({Action.Health.AT_RISK, Action.Health.OFF_TRACK})
HEALTH_ORDER = {Action.Health.OFF_TRACK: 0, Action.Health.AT_RISK: 1, Action.Health.ON_TRACK: 2}
NO_GROUP = ""


@dataclass(frozen=True)
class Scope:
    ght: GHT
    plan: Plan
    filiere: Filiere | None = None
    establishment: Establishment | None = None
    campaign: Campaign | None = None
    medical_only: bool = False
    running_in: int | None = None  # a year: only the actions running during it (a roadmap's)

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
        if self.running_in is not None:
            parts.append(_("actions de %(year)s") % {"year": self.running_in})
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
    start_date: datetime.date | None
    due_date: datetime.date | None
    done_on: datetime.date | None  # None on a done action: « date inconnue »
    stopped_on: datetime.date | None
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
    total: int  # = done + late + in_progress + to_start + stopped (each action in one bucket)
    done: int
    late: int  # not done nor abandoned, past its due date (whatever its status)
    in_progress: int  # en cours, on time
    to_start: int  # à lancer, on time
    stopped: int  # suspended on time, or abandoned
    at_risk: int  # a health at risk or off track, not done nor abandoned: overlaps the buckets
    at_risk_late: int  # of those, the late ones (listed with the late actions too)
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

    def done_in(self, year: int) -> tuple[ActionLine, ...]:
        """The actions done whose achievement date falls in ``year`` (up to ``as_of``), by that date."""
        lines = (
            line
            for line in self.actions
            if line.status == ActionStatus.DONE
            and line.done_on
            and line.done_on.year == year
            and line.done_on <= self.as_of
        )
        return tuple(sorted(lines, key=lambda line: (line.done_on, line.code)))

    @property
    def done_date_unknown(self) -> tuple[ActionLine, ...]:
        """The actions done with no known achievement date (imported already done): in no year."""
        return tuple(line for line in self.actions if line.status == ActionStatus.DONE and line.done_on is None)

    @property
    def at_risk_not_late(self) -> tuple[ActionLine, ...]:
        return tuple(line for line in self.at_risk_actions if not line.is_late)


# --- Internal: one record per action, whichever the source ---------------------------------------


@dataclass(frozen=True)
class _Item:
    row: Row  # governance.checkpoints.comparison's picture of the action (status, health, progress, late, axis)
    action_id: int | None
    filiere_ids: frozenset[int]
    owner_name: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    done_on: datetime.date | None
    stopped_on: datetime.date | None
    blocking_points: str
    next_steps: str
    # indicator id → (baseline, target date)
    indicator_extras: dict[int, tuple[Decimal | None, datetime.date | None]] = field(default_factory=dict)


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
    if scope.running_in is not None:
        condition &= running_in_q(scope.running_in)
    return condition


def _snapshot_filter(scope: Scope, medical_ids: Iterable[int], prefix: str = "") -> Q:
    """The same scope on snapshots (``prefix`` "snapshots__" when reached from the campaign)."""
    condition = Q()
    if scope.filiere is not None:
        condition &= Q(**{f"{prefix}filiere_ids__contains": [scope.filiere.pk]})
    if scope.establishment is not None:
        condition &= Q(**{f"{prefix}lead_establishment_id": scope.establishment.pk}) | Q(
            **{f"{prefix}establishment_ids__contains": [scope.establishment.pk]}
        )
    if scope.medical_only:
        condition &= Q(**{f"{prefix}filiere_ids__overlap": list(medical_ids)})
    if scope.running_in is not None:
        condition &= running_in_q(scope.running_in, prefix)
    return condition


def _item(row: Row, state, indicators) -> _Item:
    """One action's record for the sums, from either source (``state``: ActionState or Snapshot)."""
    return _Item(
        row=row,
        action_id=state.action_id if isinstance(state, Snapshot) else state.pk,
        filiere_ids=frozenset(state.filiere_ids),
        owner_name=state.owner_name,
        start_date=state.start_date,
        due_date=state.due_date,
        done_on=state.done_on,
        stopped_on=state.stopped_on,
        blocking_points=state.blocking_points,
        next_steps=state.next_steps,
        indicator_extras=indicators,
    )


def _live_items(scope: Scope, today: datetime.date, codes: dict[int, str], medical_ids) -> list[_Item]:
    """Today's actions of the scope, read as a checkpoint would freeze them (``read_states``)."""
    actions = scoped(Action, scope.ght).filter(plan=scope.plan)
    condition = _action_filter(scope, medical_ids)
    if condition:
        actions = actions.filter(pk__in=scoped(Action, scope.ght).filter(condition).values("pk"))
    items = []
    for state in read_states(scope.ght.pk, actions, establishments=False):
        filiere_codes = sorted(codes[pk] for pk in state.filiere_ids if pk in codes)
        extras = {item.pk: (item.baseline, item.target_date) for item in state.indicators}
        items.append(_item(row_from_state(state, filiere_codes=filiere_codes, today=today), state, extras))
    return items


def _snapshot_items(scope: Scope, medical_ids) -> list[_Item]:
    """The campaign's frozen snapshots in the scope (one query)."""
    snapshots = (
        scoped(Snapshot, scope.ght)
        .filter(campaign=scope.campaign)
        .filter(_snapshot_filter(scope, medical_ids))
        .defer("achievements", "objective_title", "update_state", "taken_at")
        .order_by("action_code")
    )
    items = []
    for snapshot in snapshots:
        extras = {
            item["indicator_id"]: (decimal_or_none(item.get("baseline")), _iso_date(item.get("target_date")))
            for item in snapshot.indicators
        }
        items.append(_item(row_from_snapshot(snapshot), snapshot, extras))
    return items


def _iso_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


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
        start_date=item.start_date,
        due_date=item.due_date,
        done_on=item.done_on,
        stopped_on=item.stopped_on,
        is_late=row.is_late,
        is_at_risk=_is_at_risk(row),
        blocking_points=item.blocking_points,
        next_steps=item.next_steps,
    )


def _axis_label(row: Row, axis_word: str) -> str:
    if row.axis_position is None:
        return _("Sans axe")
    return f"{axis_word} {row.axis_position} — {row.axis_title}"


class _Filiere(NamedTuple):
    pk: int
    code: str
    name: str
    kind: str

    def __str__(self) -> str:  # as Filiere.__str__
        return f"{self.code} — {self.name}"


def _filieres(scope: Scope) -> list[_Filiere]:
    """The GHT's filières by code: as they are today, or as the checkpoint froze them."""
    if scope.campaign is not None and scope.campaign.frozen_filieres:
        rows = [(f["id"], f["code"], f["name"], f["kind"]) for f in scope.campaign.frozen_filieres]
    else:
        rows = scoped(Filiere, scope.ght).values_list("pk", "code", "name", "kind")
    return sorted((_Filiere(*row) for row in rows), key=lambda filiere: filiere.code)


def _indicator_lines(items: list[_Item]) -> list[IndicatorLine]:
    lines = []
    for item in items:
        row = item.row
        for value in row.indicators:
            baseline, target_date = item.indicator_extras.get(value.indicator_id, (None, None))
            lines.append(
                IndicatorLine(
                    indicator_id=value.indicator_id,
                    action_id=item.action_id,
                    action_code=row.code,
                    action_title=row.title,
                    name=value.name,
                    unit=value.unit,
                    baseline=baseline,
                    target=value.target,
                    target_date=target_date,
                    value=value.value,
                    measured_on=value.measured_on,
                    percent=_percent_of_way(baseline, value.target, value.value),
                )
            )
    return sorted(lines, key=lambda line: line.action_code)  # stable: each action's indicators as entered


class _Sums:
    """The tallies of ``compute``: overall, by status, by health, by axis and by filière."""

    def __init__(self, filieres: list[_Filiere], axis_word: str) -> None:
        self.axis_word = axis_word
        self.names = {filiere.pk: str(filiere) for filiere in filieres}
        self.order = [filiere.pk for filiere in filieres]
        self.total = _Tally("", "")
        self.statuses = {value: [0, 0] for value in ActionStatus.values}
        self.healths = dict.fromkeys(Action.Health.values, 0)
        self.axes: dict[tuple, _Tally] = {}
        self.by_filiere: dict[int | str, _Tally] = {}

    def add(self, row: Row, filiere_ids: frozenset[int]) -> None:
        at_risk = _is_at_risk(row)
        self.total.add(row, at_risk)
        counts = self.statuses.setdefault(row.status, [0, 0])
        counts[0] += 1
        counts[1] += row.is_late
        self.healths[row.health] = self.healths.get(row.health, 0) + 1
        axis_key = (row.axis_position is None, row.axis_position or 0)
        if axis_key not in self.axes:
            key = f"axe:{row.axis_position}" if row.axis_position is not None else NO_GROUP
            self.axes[axis_key] = _Tally(key, _axis_label(row, self.axis_word))
        self.axes[axis_key].add(row, at_risk)
        for pk in [pk for pk in filiere_ids if pk in self.names] or [NO_GROUP]:
            if pk not in self.by_filiere:
                label = self.names[pk] if pk != NO_GROUP else _("Sans filière")
                self.by_filiere[pk] = _Tally(f"filiere:{pk}" if pk != NO_GROUP else NO_GROUP, label)
            self.by_filiere[pk].add(row, at_risk)

    def filiere_rows(self) -> tuple[GroupRow, ...]:
        keys = [pk for pk in self.order if pk in self.by_filiere] + ([NO_GROUP] if NO_GROUP in self.by_filiere else [])
        return tuple(self.by_filiere[key].freeze() for key in keys)


def compute(scope: Scope, *, today: datetime.date | None = None) -> Figures:
    """Every figure of the dashboard for ``scope`` (``today`` defaults to the local date)."""
    today = today or timezone.localdate()
    filieres = _filieres(scope)
    codes = {filiere.pk: filiere.code for filiere in filieres}
    medical_ids = [filiere.pk for filiere in filieres if filiere.kind == Filiere.Kind.MEDICAL]
    if scope.campaign is None:
        as_of = today
        items = _live_items(scope, today, codes, medical_ids)
        source_label = _("Données du portail au %(date)s") % {"date": french_date(today)}
    else:
        as_of = timezone.localdate(scope.campaign.closed_at)
        items = _snapshot_items(scope, medical_ids)
        source_label = _("Instantané du point d'étape « %(title)s », clos le %(date)s") % {
            "title": scope.campaign.title,
            "date": french_date(as_of),
        }
    status_labels = {value: str(label) for value, label in ActionStatus.choices}
    health_labels = {value: str(label) for value, label in Action.Health.choices}
    sums = _Sums(filieres, scope.plan.get_axis_label_display())
    items.sort(key=lambda item: (item.row.axis_position is None, item.row.axis_position or 0, item.row.code))
    for item in items:
        sums.add(item.row, item.filiere_ids)
    lines = [_line(item, sums.axis_word, status_labels, health_labels) for item in items]
    far = datetime.date.max
    until = as_of + datetime.timedelta(days=UPCOMING_DAYS)
    summary = sums.total.freeze()
    at_risk_actions = sorted(
        (line for line in lines if line.is_at_risk),
        key=lambda line: (HEALTH_ORDER.get(line.health, 9), line.due_date or far, line.code),
    )
    return Figures(
        scope=scope,
        source_label=source_label,
        as_of=as_of,
        is_snapshot=scope.campaign is not None,
        total=summary.count,
        done=summary.done,
        late=summary.late,
        in_progress=summary.in_progress,
        to_start=summary.to_start,
        stopped=summary.stopped,
        at_risk=summary.at_risk,
        at_risk_late=sum(line.is_late for line in at_risk_actions),
        mean_progress=summary.mean_progress,
        by_status=tuple(
            StatusCount(key=value, label=status_labels[value], count=counts[0], late=counts[1])
            for value, counts in ((value, sums.statuses[value]) for value in ActionStatus.values)
        ),
        by_health=tuple(
            HealthCount(key=value, label=health_labels[value], count=sums.healths.get(value, 0))
            for value in Action.Health.values
        ),
        by_axis=tuple(sums.axes[key].freeze() for key in sorted(sums.axes)),
        by_filiere=sums.filiere_rows(),
        actions=tuple(lines),
        late_actions=tuple(
            sorted((line for line in lines if line.is_late), key=lambda line: (line.due_date or far, line.code))
        ),
        at_risk_actions=tuple(at_risk_actions),
        upcoming=tuple(
            sorted(
                (
                    line
                    for line in lines
                    if line.status not in CLOSED_STATUSES and line.due_date and as_of <= line.due_date <= until
                ),
                key=lambda line: (line.due_date, line.code),
            )
        ),
        checkpoints=_checkpoints(scope, medical_ids),
        indicators=tuple(_indicator_lines(items)),
    )
