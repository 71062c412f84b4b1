"""Two pictures of the plan side by side: two closed checkpoints, or a closed checkpoint and today.

Pure functions over plain rows (no query here): ``row_from_snapshot`` and ``row_from_state`` turn
either side into ``Row``; ``compare`` matches the rows by action, says what moved for each action
and sums it up by axis, by filière and overall. The views fetch the rows in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from actions.models import ActionStatus, is_late

DONE = ActionStatus.DONE.value
# Worse health has a higher rank: a move up the list is a degradation.
HEALTH_RANK = {"on_track": 0, "at_risk": 1, "off_track": 2}
NO_FILIERE = ""


@dataclass(frozen=True)
class IndicatorValue:
    indicator_id: int
    name: str
    unit: str
    value: Decimal | None
    measured_on: datetime.date | None
    target: Decimal | None = None


@dataclass(frozen=True)
class Row:
    """One action as one side saw it."""

    key: str  # "id:12", or "code:A-3" when the action no longer exists
    code: str
    title: str
    axis_position: int | None
    axis_title: str
    filiere_codes: tuple[str, ...]
    status: str
    health: str
    progress: int
    is_late: bool
    indicators: tuple[IndicatorValue, ...] = ()


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value) -> datetime.date | None:
    if not value:
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def row_key(action_id: int | None, code: str) -> str:
    return f"id:{action_id}" if action_id is not None else f"code:{code}"


def row_from_snapshot(snapshot) -> Row:
    """A frozen snapshot (its copied names and codes; the indicators as they were at closing)."""
    return Row(
        key=row_key(snapshot.action_id, snapshot.action_code),
        code=snapshot.action_code,
        title=snapshot.action_title,
        axis_position=snapshot.axis_position,
        axis_title=snapshot.axis_title,
        filiere_codes=tuple(snapshot.filiere_codes),
        status=snapshot.status,
        health=snapshot.health,
        progress=snapshot.progress,
        is_late=snapshot.is_late,
        indicators=tuple(
            IndicatorValue(
                indicator_id=item["indicator_id"],
                name=item.get("name", ""),
                unit=item.get("unit", ""),
                value=_decimal(item.get("value")),
                measured_on=_date(item.get("measured_on")),
                target=_decimal(item.get("target")),
            )
            for item in snapshot.indicators
        ),
    )


def row_from_state(state, *, filiere_codes: Sequence[str], today: datetime.date) -> Row:
    """A live action read by ``governance.checkpoints.state`` (an ``ActionState``), as it stands ``today``."""
    return Row(
        key=row_key(state.pk, state.code),
        code=state.code,
        title=state.title,
        axis_position=state.axis_position,
        axis_title=state.axis_title,
        filiere_codes=tuple(filiere_codes),
        status=state.status,
        health=state.health,
        progress=state.progress,
        is_late=is_late(state.due_date, state.status, today),
        indicators=tuple(
            IndicatorValue(item.pk, item.name, item.unit, item.value, item.measured_on, item.target)
            for item in state.indicators
        ),
    )


@dataclass(frozen=True)
class IndicatorMove:
    name: str
    unit: str
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Line:
    """What moved for one action between the two sides (``before`` or ``after`` may be missing)."""

    before: Row | None
    after: Row | None
    indicator_moves: tuple[IndicatorMove, ...] = ()

    @property
    def row(self) -> Row:
        return self.after or self.before

    @property
    def status_moved(self) -> bool:
        return bool(self.before and self.after and self.before.status != self.after.status)

    @property
    def newly_late(self) -> bool:
        return bool(self.after and self.after.is_late and not (self.before and self.before.is_late))

    @property
    def newly_done(self) -> bool:
        return bool(self.after and self.after.status == DONE and not (self.before and self.before.status == DONE))

    @property
    def progress_delta(self) -> int | None:
        if not (self.before and self.after):
            return None
        return self.after.progress - self.before.progress

    @property
    def health_moved(self) -> bool:
        return bool(self.before and self.after and self.before.health != self.after.health)

    @property
    def health_worse(self) -> bool:
        return self.health_moved and HEALTH_RANK.get(self.after.health, 0) > HEALTH_RANK.get(self.before.health, 0)

    @property
    def changed(self) -> bool:
        return bool(
            self.before is None
            or self.after is None
            or self.status_moved
            or self.newly_late
            or self.newly_done
            or self.progress_delta
            or self.health_moved
            or self.indicator_moves
        )


@dataclass
class Totals:
    """Sums over a group of lines (an axis, a filière, or all)."""

    label: str = ""
    actions: int = 0
    status_moves: int = 0
    newly_late: int = 0
    newly_done: int = 0
    health_better: int = 0
    health_worse: int = 0
    indicator_moves: int = 0
    progress_before: int = 0  # sums, for the averages
    progress_after: int = 0
    compared: int = 0  # lines present on both sides

    def add(self, line: Line) -> None:
        self.actions += 1
        self.status_moves += line.status_moved
        self.newly_late += line.newly_late
        self.newly_done += line.newly_done
        self.health_worse += line.health_worse
        self.health_better += line.health_moved and not line.health_worse
        self.indicator_moves += len(line.indicator_moves)
        if line.before and line.after:
            self.compared += 1
            self.progress_before += line.before.progress
            self.progress_after += line.after.progress

    @property
    def average_before(self) -> int | None:
        return round(self.progress_before / self.compared) if self.compared else None

    @property
    def average_after(self) -> int | None:
        return round(self.progress_after / self.compared) if self.compared else None

    @property
    def average_delta(self) -> int | None:
        if not self.compared:
            return None
        return self.average_after - self.average_before


@dataclass
class Comparison:
    lines: list[Line] = field(default_factory=list)
    by_axis: list[Totals] = field(default_factory=list)
    by_filiere: list[Totals] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)

    @property
    def changed_lines(self) -> list[Line]:
        return [line for line in self.lines if line.changed]


def indicator_moves(before: Row | None, after: Row | None) -> tuple[IndicatorMove, ...]:
    """Indicators whose latest value differs between the two sides (or appeared)."""
    if after is None:
        return ()
    old = {item.indicator_id: item for item in before.indicators} if before else {}
    moves = []
    for item in after.indicators:
        previous = old.get(item.indicator_id)
        before_value = previous.value if previous else None
        if item.value is not None and (before_value is None or before_value != item.value):
            moves.append(IndicatorMove(name=item.name, unit=item.unit, before=before_value, after=item.value))
    return tuple(moves)


def _axis_label(row: Row) -> tuple:
    return (row.axis_position if row.axis_position is not None else 10**6, row.axis_title)


def compare(
    before: Iterable[Row], after: Iterable[Row], *, filiere_names: Mapping[str, str] | None = None
) -> Comparison:
    """Match the two sides by action and sum up the moves by axis, by filière (an action in two
    filières counts in both) and overall (each action once)."""
    old = {row.key: row for row in before}
    new = {row.key: row for row in after}
    keys = list(old) + [key for key in new if key not in old]
    lines = [Line(old.get(key), new.get(key), indicator_moves(old.get(key), new.get(key))) for key in keys]
    lines.sort(key=lambda line: (*_axis_label(line.row), line.row.code))
    result = Comparison(lines=lines)
    axes: dict[tuple, Totals] = {}
    filieres: dict[str, Totals] = {}
    names = filiere_names or {}
    for line in lines:
        row = line.row
        axis_key = _axis_label(row)
        if axis_key not in axes:
            label = f"{row.axis_position}. {row.axis_title}" if row.axis_position is not None else ""
            axes[axis_key] = Totals(label=label)
        axes[axis_key].add(line)
        for code in row.filiere_codes or (NO_FILIERE,):
            if code not in filieres:
                filieres[code] = Totals(label=names.get(code, code))
            filieres[code].add(line)
        result.total.add(line)
    result.by_axis = [axes[key] for key in sorted(axes)]
    result.by_filiere = [filieres[code] for code in sorted(filieres, key=lambda code: (code == NO_FILIERE, code))]
    return result
