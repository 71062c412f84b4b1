"""Geometry of the Gantt chart: dates to x positions, bars, ticks. Pure (no database, no Django).

The chart is drawn server-side as SVG by a template; everything it needs to place is computed here,
so that it can be unit-tested and so that the template only prints numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

MONTH_INITIALS = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"]
MIN_BAR_WIDTH = 4.0


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Tick:
    day: datetime.date
    x: float
    label: str
    is_year: bool


@dataclass(frozen=True)
class Scale:
    """A linear scale from ``start`` (x = 0) to ``end`` (x = width), ``px_per_day`` pixels a day."""

    start: datetime.date
    end: datetime.date
    px_per_day: float

    @property
    def width(self) -> float:
        return self.x(self.end)

    def x(self, day: datetime.date) -> float:
        """x of the *start* of ``day``, clamped to the scale (a date outside is drawn at the edge)."""
        day = min(max(day, self.start), self.end)
        return round((day - self.start).days * self.px_per_day, 1)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def bar(self, start: datetime.date, due: datetime.date) -> tuple[float, float]:
        """(x, width) of a bar covering ``start`` to ``due`` inclusive, never thinner than visible."""
        if due < start:
            start, due = due, start
        x0 = self.x(start)
        x1 = self.x(due + datetime.timedelta(days=1))
        return x0, max(round(x1 - x0, 1), MIN_BAR_WIDTH)

    def ticks(self) -> list[Tick]:
        """One tick per month; January ticks carry the year, others the month initial when room allows."""
        show_months = self.px_per_day * 30 >= 14
        ticks = []
        day = month_start(self.start)
        if day < self.start:
            day = next_month(day)
        while day <= self.end:
            is_year = day.month == 1
            label = str(day.year) if is_year else (MONTH_INITIALS[day.month - 1] if show_months else "")
            ticks.append(Tick(day=day, x=self.x(day), label=label, is_year=is_year))
            day = next_month(day)
        return ticks


def scale_for(
    days: Iterable[datetime.date | None],
    *,
    today: datetime.date,
    period: tuple[datetime.date, datetime.date] | None = None,
    target_width: float = 1100.0,
    min_px_per_day: float = 0.6,
) -> Scale:
    """A scale covering ``period`` (if any), every given date and today, in whole months.

    Short periods are stretched to ``target_width``; long ones get at least ``min_px_per_day`` and
    scroll horizontally, so that a month stays wide enough to read.
    """
    known = [day for day in days if day is not None]
    known.append(today)
    if period is not None:
        known.extend(period)
    first, last = min(known), max(known)
    start = month_start(first)
    end = next_month(last)
    if (end - start).days < 365:  # at least a year, so that a lone action does not fill the page
        end = datetime.date(start.year + 1, start.month, 1)
    total_days = (end - start).days
    px_per_day = max(target_width / total_days, min_px_per_day)
    return Scale(start=start, end=end, px_per_day=round(px_per_day, 4))


@dataclass
class Row:
    """One action on the chart (``bar`` is None when the action has no date at all)."""

    label: str
    title: str
    status_class: str
    start: datetime.date | None
    due: datetime.date | None
    bar: tuple[float, float] | None = None
    milestones: list[tuple[float, str, bool]] = field(default_factory=list)  # (x, title, done)
    y: float = 0.0
    url: str = ""
    status_label: str = ""
    milestone_list: list[str] = field(default_factory=list)  # the milestones as text, for the table
    svg: str = ""  # the row drawn on the chart, and its line of the table (HTML made by the view)
    table_row: str = ""


@dataclass
class Group:
    label: str
    rows: list[Row]
    y: float = 0.0


@dataclass
class Chart:
    scale: Scale
    groups: list[Group]
    today_x: float | None
    height: float
    label_width: float
    ticks: list[Tick]

    @property
    def width(self) -> float:
        return self.label_width + self.scale.width + 10


HEADER_HEIGHT = 36.0
GROUP_HEIGHT = 26.0
ROW_HEIGHT = 24.0
LABEL_WIDTH = 300.0


def layout(
    groups: list[Group],
    *,
    today: datetime.date,
    period: tuple[datetime.date, datetime.date] | None = None,
    milestone_days: Iterable[datetime.date] = (),
) -> Chart:
    """Place groups and rows vertically and bars horizontally; rows come with start/due and milestones.

    Row milestones are given as ``(date, title, done)`` in ``row.milestones`` before layout and
    replaced by ``(x, title, done)``.
    """
    days: list[datetime.date | None] = list(milestone_days)
    for group in groups:
        for row in group.rows:
            days += [row.start, row.due]
            days += [m[0] for m in row.milestones]
    scale = scale_for(days, today=today, period=period)
    y = HEADER_HEIGHT
    for group in groups:
        group.y = y
        y += GROUP_HEIGHT
        for row in group.rows:
            row.y = y
            start, due = row.start or row.due, row.due or row.start
            row.bar = scale.bar(start, due) if start and due else None
            row.milestones = [(scale.x(day), title, done) for day, title, done in row.milestones]
            y += ROW_HEIGHT
    today_x = scale.x(today) if scale.contains(today) else None
    return Chart(
        scale=scale,
        groups=groups,
        today_x=today_x,
        height=y + 8,
        label_width=LABEL_WIDTH,
        ticks=scale.ticks(),
    )
