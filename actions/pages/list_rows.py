"""Rows of the action lists (« Actions », « Mes actions ») and of the inline follow-up's answer, made
in Python.

A row shows the action and, where the member may update its follow-up, three inputs (status,
health, progress) bound to a small form in its last cell. Drawn by the template language with a
``QuickFollowUpForm`` per row, the 25 rows of a page cost about a third of the page: the form's
field copies, ~40 template nodes a row and the loops over the options. Here labels, links, choices
and the CSRF token are made once per page and each row is a join of escaped strings
(``html.escape``, as Django's ``escape``). The markup is the one the row template had, inputs as
Django's widgets draw them (pinned by tests/test_plan_pages_markup.py).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from actions.models import Action, is_late
from actions.rows import action_url_maker
from ght_portal.formats import short_date

FOLLOWUP_FIELDS = ("status", "health", "progress", "version")
LATE_CLASS = ' class="is-late"'


@dataclass(frozen=True)
class Inputs:
    """What a row's inline inputs show: their form prefix, values, and the errors of a refused update."""

    prefix: str
    values: Mapping[str, object]
    errors: Mapping[str, Sequence[str]] = field(default_factory=dict)
    non_field_errors: Sequence[str] = ()

    @classmethod
    def of_action(cls, action: Action) -> Inputs:
        """As an unbound ``QuickFollowUpForm(action=action, prefix=f"a{action.pk}")`` shows them."""
        values = {name: getattr(action, name) for name in FOLLOWUP_FIELDS}
        return cls(prefix=f"a{action.pk}", values=values)

    @classmethod
    def of_form(cls, form) -> Inputs:
        """As a ``QuickFollowUpForm`` (bound or not) shows them, errors included."""
        return cls(
            prefix=form.prefix,
            values={name: form[name].value() for name in FOLLOWUP_FIELDS},
            errors={name: tuple(form[name].errors) for name in FOLLOWUP_FIELDS if form[name].errors},
            non_field_errors=tuple(form.non_field_errors()),
        )


class ListRows:
    """Draws the rows of one list page, or the single row an inline update answers with.

    ``back`` is where the follow-up returns without JavaScript (the list with its filters).
    """

    def __init__(self, request, ght_slug: str, back: str):
        self.request = request
        self.detail_url = action_url_maker(ght_slug)
        self.quick_url = action_url_maker(ght_slug, "action_quick_update")
        self.back = html.escape(back)
        self.today = timezone.localdate()
        # Translated once a page: get_*_display and lazy labels translate every choice on each use.
        self.statuses = [(value, html.escape(str(label))) for value, label in Action.Status.choices]
        self.healths = [(value, html.escape(str(label))) for value, label in Action.Health.choices]
        self.status_labels, self.health_labels = dict(self.statuses), dict(self.healths)
        self.stage_labels = {value: html.escape(str(label)) for value, label in Action.GovernanceStage.choices}
        self.late = f' <span class="badge badge--late">{html.escape(_("En retard"))}</span>'
        self.save_label = html.escape(_("Enregistrer"))
        self.input_labels = {
            "status": _("Nouveau statut de %(code)s"),
            "health": _("Nouvel état de santé de %(code)s"),
            "progress": _("Nouvel avancement de %(code)s (%%)"),
        }

    @cached_property
    def csrf_input(self) -> str:
        """As ``{% csrf_token %}``: one token for the page, as the template context had."""
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{html.escape(get_token(self.request))}">'

    def row(self, action: Action, inputs: Inputs | None, saved: str = "") -> SafeString:
        """The action's ``<tr>``; ``inputs`` None: no inline update (the member may not update it).

        Reads the action's ``owner`` and ``filieres``: select and prefetch them.
        """
        pk, code = action.pk, html.escape(action.code)
        late = is_late(action.due_date, action.status, self.today)
        title = f'<a href="{html.escape(self.detail_url(pk))}">{html.escape(action.title)}</a>'
        if action.governance_stage:
            stage = html.escape(action.governance_stage)
            label = self.stage_labels.get(action.governance_stage, stage)
            title += f' <span class="badge badge--stage-{stage}">{label}</span>'
        errors = "".join(_errors(inputs.non_field_errors)) if inputs else ""
        saved = f'<p class="field-ok" role="status">{html.escape(saved)}</p>' if saved else ""
        filieres = ", ".join(
            f'<abbr title="{html.escape(filiere.name)}">{html.escape(filiere.code)}</abbr>'
            for filiere in action.filieres.all()
        )
        owner = html.escape(str(action.owner)) if action.owner_id else "—"
        status, health, progress = html.escape(action.status), html.escape(action.health), int(action.progress)
        status_input = health_input = progress_input = form = ""
        if inputs is not None:
            labels = {name: text % {"code": code} for name, text in self.input_labels.items()}
            status_input = self.select(inputs, "status", labels["status"], self.statuses)
            health_input = self.select(inputs, "health", labels["health"], self.healths)
            progress_input = self.progress_input(inputs, labels["progress"])
            form = self.form(pk, inputs, code)
        return SafeString(
            f'<tr id="action-{pk}"{LATE_CLASS if late else ""}>\n'
            f'  <th scope="row">{code}</th>\n'
            f"  <td>{title}\n    {errors}\n    {saved}\n  </td>\n"
            f"  <td>{filieres or '—'}</td>\n"
            f"  <td>{owner}</td>\n"
            f'  <td class="nowrap">{short_date(action.due_date)}{self.late if late else ""}</td>\n'
            f"  <td>{self.status_labels.get(action.status, status)}\n    {status_input}\n  </td>\n"
            f'  <td><span class="badge health health--{health}"><span class="health__dot" aria-hidden="true"></span>'
            f"{self.health_labels.get(action.health, health)}</span>\n    {health_input}\n  </td>\n"
            f'  <td><span class="progress"><progress max="100" value="{progress}" aria-hidden="true">{progress} %'
            f'</progress> <span class="progress__value">{progress} %</span></span>\n    {progress_input}\n  </td>\n'
            f"  <td>{form}</td>\n"
            "</tr>\n"
        )

    def select(self, inputs: Inputs, name: str, label: str, choices: list[tuple[str, str]]) -> str:
        """A status or health select, as ``forms.Select`` draws it, with its hidden label."""
        html_name, auto_id, errors = _field(inputs, name)
        current = inputs.values.get(name)
        options = "".join(
            f'<option value="{html.escape(value)}"{" selected" if value == current else ""}>{text}</option>'
            for value, text in choices
        )
        return (
            f'<label class="visually-hidden" for="{auto_id}">{label}</label>'
            f'<select name="{html_name}" form="quick-{html.escape(inputs.prefix)}"{_invalid(auto_id, errors)}'
            f' id="{auto_id}">\n  {options}\n</select>{_error_block(auto_id, errors)}'
        )

    def progress_input(self, inputs: Inputs, label: str) -> str:
        """The progress input, as ``forms.NumberInput`` draws it, with its hidden label."""
        html_name, auto_id, errors = _field(inputs, "progress")
        value = _value(inputs.values.get("progress"))
        return (
            f'<label class="visually-hidden" for="{auto_id}">{label}</label>'
            f'<input type="number" name="{html_name}"{value} min="0" max="100" step="1"'
            f' form="quick-{html.escape(inputs.prefix)}" required{_invalid(auto_id, errors)} id="{auto_id}">'
            f"{_error_block(auto_id, errors)}"
        )

    def form(self, pk: int, inputs: Inputs, code: str) -> str:
        """The row's form (last cell): the inputs above belong to it through their ``form`` attribute."""
        prefix, quick_url = html.escape(inputs.prefix), html.escape(self.quick_url(pk))
        version_name, version_id, _errors_unused = _field(inputs, "version")
        return (
            f'\n    <form method="post" id="quick-{prefix}" action="{quick_url}"\n'
            f'          hx-post="{quick_url}" hx-target="#action-{pk}" hx-swap="outerHTML">\n'
            f'      {self.csrf_input}<input type="hidden" name="next" value="{self.back}">'
            f'<input type="hidden" name="{version_name}"{_value(inputs.values.get("version"))} id="{version_id}">\n'
            f'      <button type="submit" class="button button--small">{self.save_label}'
            f'<span class="visually-hidden"> {code}</span></button>\n'
            "    </form>\n  "
        )


def _field(inputs: Inputs, name: str) -> tuple[str, str, Sequence[str]]:
    """An input's ``name`` and ``id`` (a form's default ``auto_id``) and its errors."""
    html_name = f"{inputs.prefix}-{name}"
    return html.escape(html_name), html.escape(f"id_{html_name}"), inputs.errors.get(name, ())


def _value(value: object) -> str:
    """An input's ``value`` attribute as Django's widgets draw it: none for None or ""."""
    return "" if value is None or value == "" else f' value="{html.escape(str(value))}"'


def _invalid(auto_id: str, errors: Sequence[str]) -> str:
    return f' aria-invalid="true" aria-describedby="{auto_id}_error"' if errors else ""


def _errors(errors: Sequence[str]):
    return (f'<p class="field-error" role="alert">{html.escape(str(error))}</p>' for error in errors)


def _error_block(auto_id: str, errors: Sequence[str]) -> str:
    return f'<div id="{auto_id}_error">{"".join(_errors(errors))}</div>' if errors else ""
