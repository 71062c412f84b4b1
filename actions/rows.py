"""Rows of the long action tables (plan tree, filière page), made in Python once per page.

The plan tree lists hundreds of actions. Drawn by the template language, a row costs ~15 nodes
(``{% url %}``, ``get_status_display``, the ``date`` filter, number formatting of each integer...),
i.e. about a tenth of a millisecond: 600 rows took ~100 ms of a ~150 ms page. Here the links and
labels are made once per page (one ``reverse()``, one translation per choice) and each row is one
``str.format`` of escaped values (``html.escape``, as Django's ``escape`` does, without its lazy-string
checks that cost more than the escaping). The markup is the one the templates had.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from actions.models import Action
from ght_portal.formats import short_date

_MARKER = 2147483647  # an id no row has: replaced by each row's id


def action_url_maker(ght_slug: str, name: str = "action_detail") -> Callable[[int], str]:
    """``pk → URL`` of the action page (or of another action URL ``name``) with a single ``reverse()``;
    "" when the pages are not installed."""
    try:
        url = reverse(name, kwargs={"ght_slug": ght_slug, "action_id": _MARKER})
    except NoReverseMatch:
        return lambda pk: ""
    head, tail = url.split(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


# The action fields a summary row shows, for ``.only()`` with ``select_related("owner")`` (a field
# read but not loaded would cost a query per row: the pages' query ceilings would catch it).
SUMMARY_FIELDS = (
    "ght_id",
    "plan_id",
    "objective_id",
    "code",
    "title",
    "owner__full_name",
    "status",
    "health",
    "progress",
    "due_date",
)

SUMMARY_ROW = (
    '<tr><td>{code}</td><th scope="row">{title}</th><td>{owner}</td>'
    '<td><span class="badge badge--status-{status}">{status_label}</span>{late}</td>'
    '<td><span class="badge badge--health-{health}">{health_label}</span></td>'
    "<td>{due}</td>"
    '<td><span class="progress-cell"><progress max="100" value="{progress}" aria-hidden="true"></progress>'
    " <span>{progress} %</span></span></td></tr>"
)


def summary_rows(actions: Iterable[Action], ght_slug: str) -> None:
    """Give each action ``row``: its line of a table with the columns code, action (linked to its
    page), owner, status (and « En retard » from ``is_late_db``), health, due date and progress.

    Reads ``owner.full_name``: select ``owner`` (``full_name`` is enough).
    """
    url = action_url_maker(ght_slug)
    statuses = {value: str(label) for value, label in Action.Status.choices}
    healths = {value: str(label) for value, label in Action.Health.choices}
    late = f' <span class="badge badge--late">{html.escape(_("En retard"))}</span>'
    for action in actions:
        title = html.escape(action.title)
        link = url(action.pk)
        action.row = SafeString(
            SUMMARY_ROW.format(
                code=html.escape(action.code),
                title=f'<a href="{html.escape(link)}">{title}</a>' if link else title,
                owner=html.escape((action.owner.full_name if action.owner_id else "") or "—"),
                status=html.escape(action.status),
                status_label=html.escape(statuses.get(action.status, action.status)),
                late=late if action.is_late_db else "",
                health=html.escape(action.health),
                health_label=html.escape(healths.get(action.health, action.health)),
                due=short_date(action.due_date),
                progress=int(action.progress),
            )
        )


def label_rows(actions: Iterable[Action], ght_slug: str) -> None:
    """For rows still drawn by a template: give each action ``url``, ``status_label`` and
    ``priority_label`` (``get_*_display`` translates every choice on each call) and ``due_text``."""
    url = action_url_maker(ght_slug)
    statuses = {value: str(label) for value, label in Action.Status.choices}
    priorities = {value: str(label) for value, label in Action.Priority.choices}
    for action in actions:
        action.url = url(action.pk)
        action.status_label = statuses.get(action.status, action.status)
        action.priority_label = priorities.get(action.priority, action.priority)
        action.due_text = short_date(action.due_date)
