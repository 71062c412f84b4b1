"""The plan pages draw their long tables and inputs without Django's per-row template work (a list of
600 actions must stay fast). These tests pin that the faster markup is the one the templates and widgets gave: same
elements, attributes and escaping, compared as parsed HTML (attribute order aside)."""

import datetime
import re

import pytest
from django import forms
from django.http import QueryDict
from django.template import engines
from django.test.html import parse_html
from django.utils import timezone

from actions.filters import ActionFilter, PlainSelect
from actions.models import Action
from actions.pages.forms import QuickFollowUpForm
from actions.pages.list_rows import Inputs, ListRows
from actions.rows import action_url_maker, summary_rows
from reports.timeline import layout as timeline
from reports.timeline.views import draw_rows
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, ObjectiveFactory, PlanFactory, UserFactory

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)

# The row markup of templates/actions/plan_part_actions.html before it moved to actions.rows.
SUMMARY_ROW_TEMPLATE = """{% load i18n %}{% url 'action_detail' current_ght.slug a.pk as action_url %}
<tr>
  <td>{{ a.code }}</td>
  <th scope="row">{% if action_url %}<a href="{{ action_url }}">{{ a.title }}</a>{% else %}{{ a.title }}{% endif %}</th>
  <td>{{ a.owner.full_name|default:"—" }}</td>
  <td><span class="badge badge--status-{{ a.status }}">{{ a.get_status_display }}</span>{% if a.is_late_db %}
  <span class="badge badge--late">{% translate "En retard" %}</span>{% endif %}</td>
  <td><span class="badge badge--health-{{ a.health }}">{{ a.get_health_display }}</span></td>
  <td>{{ a.due_date|date:"d/m/Y"|default:"—" }}</td>
  <td><span class="progress-cell"><progress max="100" value="{{ a.progress }}" aria-hidden="true"></progress>
  <span>{{ a.progress }} %</span></span></td>
</tr>"""

# The row of templates/actions/_action_row.html (the lists and the inline update's answer) before it
# moved to actions.pages.list_rows.
LIST_ROW_TEMPLATE = """{% load i18n %}<tr id="action-{{ action.pk }}"{% if action.is_late %} class="is-late"{% endif %}>
  <th scope="row">{{ action.code }}</th>
  <td><a href="{{ action.detail_url }}">{{ action.title }}</a>{% if action.governance_stage %} <span class="badge badge--stage-{{ action.governance_stage }}">{% firstof action.stage_label action.get_governance_stage_display %}</span>{% endif %}
    {% if form %}{% for error in form.non_field_errors %}<p class="field-error" role="alert">{{ error }}</p>{% endfor %}{% endif %}
    {% if saved %}<p class="field-ok" role="status">{{ saved }}</p>{% endif %}
  </td>
  <td>{% for filiere in action.filieres.all %}<abbr title="{{ filiere.name }}">{{ filiere.code }}</abbr>{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
  <td>{{ action.owner|default:"—" }}</td>
  <td class="nowrap">{{ action.due_date|date:"d/m/Y"|default:"—" }}{% if action.is_late %} <span class="badge badge--late">{% translate "En retard" %}</span>{% endif %}</td>
  <td>{% firstof action.status_label action.get_status_display %}
    {% if form %}{% with field=form.status current=form.status.value %}<label class="visually-hidden" for="{{ field.auto_id }}">{% blocktranslate with code=action.code %}Nouveau statut de {{ code }}{% endblocktranslate %}</label><select name="{{ field.html_name }}" form="quick-{{ form.prefix }}"{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %} id="{{ field.auto_id }}">
  {% for value, label in field.field.choices %}<option value="{{ value }}"{% if value == current %} selected{% endif %}>{{ label }}</option>{% endfor %}
</select>{% if field.errors %}<div id="{{ field.auto_id }}_error">{% for error in field.errors %}<p class="field-error" role="alert">{{ error }}</p>{% endfor %}</div>{% endif %}{% endwith %}{% endif %}
  </td>
  <td><span class="badge health health--{{ action.health }}"><span class="health__dot" aria-hidden="true"></span>{% firstof action.health_label action.get_health_display %}</span>
    {% if form %}{% with field=form.health current=form.health.value %}<label class="visually-hidden" for="{{ field.auto_id }}">{% blocktranslate with code=action.code %}Nouvel état de santé de {{ code }}{% endblocktranslate %}</label><select name="{{ field.html_name }}" form="quick-{{ form.prefix }}"{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %} id="{{ field.auto_id }}">
  {% for value, label in field.field.choices %}<option value="{{ value }}"{% if value == current %} selected{% endif %}>{{ label }}</option>{% endfor %}
</select>{% if field.errors %}<div id="{{ field.auto_id }}_error">{% for error in field.errors %}<p class="field-error" role="alert">{{ error }}</p>{% endfor %}</div>{% endif %}{% endwith %}{% endif %}
  </td>
  <td><span class="progress"><progress max="100" value="{{ action.progress }}" aria-hidden="true">{{ action.progress }} %</progress> <span class="progress__value">{{ action.progress }} %</span></span>
    {% if form %}{% with field=form.progress current=form.progress.value %}<label class="visually-hidden" for="{{ field.auto_id }}">{% blocktranslate with code=action.code %}Nouvel avancement de {{ code }} (%){% endblocktranslate %}</label><input type="number" name="{{ field.html_name }}"{% if current is not None and current != "" %} value="{{ current|stringformat:'s' }}"{% endif %} min="0" max="100" step="1" form="quick-{{ form.prefix }}" required{% if field.errors %} aria-invalid="true" aria-describedby="{{ field.auto_id }}_error"{% endif %} id="{{ field.auto_id }}">{% if field.errors %}<div id="{{ field.auto_id }}_error">{% for error in field.errors %}<p class="field-error" role="alert">{{ error }}</p>{% endfor %}</div>{% endif %}{% endwith %}{% endif %}
  </td>
  <td>{% if form %}{% with quick_url=action.quick_url %}
    <form method="post" id="quick-{{ form.prefix }}" action="{{ quick_url }}"
          hx-post="{{ quick_url }}" hx-target="#action-{{ action.pk }}" hx-swap="outerHTML">
      {% csrf_token %}<input type="hidden" name="next" value="{{ back }}">{% with version=form.version.value %}<input type="hidden" name="{{ form.version.html_name }}"{% if version is not None and version != "" %} value="{{ version|stringformat:'s' }}"{% endif %} id="{{ form.version.auto_id }}">{% endwith %}
      <button type="submit" class="button button--small">{% translate "Enregistrer" %}<span class="visually-hidden"> {{ action.code }}</span></button>
    </form>
  {% endwith %}{% endif %}</td>
</tr>"""  # noqa: E501 (verbatim)

# The rows of templates/reports/timeline.html before they moved to reports.timeline.views.draw_rows.
TIMELINE_ROW_TEMPLATE = """{% load l10n %}{% localize off %}
<g transform="translate(0,{{ row.y }})">
  <text class="gantt__label" x="10" y="16">{{ row.label|truncatechars:44 }}<title>{{ row.label }}</title></text>
  <g transform="translate({{ chart.label_width }},0)">
    {% if row.bar %}<rect class="gantt__bar gantt__bar--{{ row.status_class }}" x="{{ row.bar.0 }}" y="5"
      width="{{ row.bar.1 }}" height="14" rx="3"><title>{{ row.label }} — {{ row.start|date:"d/m/Y" }} →
      {{ row.due|date:"d/m/Y" }} ({{ row.status_label }})</title></rect>{% endif %}
    {% for m in row.milestones %}<g transform="translate({{ m.0 }},12)"><path class="gantt__milestone{% if m.2 %}
      gantt__milestone--done{% endif %}" d="M0,-6L6,0L0,6L-6,0Z"><title>{{ m.1 }}</title></path></g>{% endfor %}
  </g>
</g>{% endlocalize %}"""
TIMELINE_TABLE_ROW_TEMPLATE = """<tr>
  <th scope="row">{% if row.url %}<a href="{{ row.url }}">{{ row.label }}</a>{% else %}{{ row.label }}{% endif %}</th>
  <td>{{ row.start|date:"d/m/Y"|default:"—" }}</td>
  <td>{{ row.due|date:"d/m/Y"|default:"—" }}</td>
  <td>{{ row.status_label }}</td>
  <td>{% for m in row.milestone_list %}{{ m }}{% if not forloop.last %} ; {% endif %}{% empty %}—{% endfor %}</td>
</tr>"""


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def element(html: str, pattern: str) -> str:
    found = re.search(pattern, html, flags=re.S)
    assert found, pattern
    return found.group(0)


@pytest.mark.parametrize("value", ["b", "", "unknown"])
def test_plain_select_draws_what_django_select_draws(value):
    choices = [("", "Tous"), ("a", "Un & deux"), ("b", "« Trois »")]
    attrs = {"id": "id_x", "aria-invalid": "true"}
    plain = PlainSelect(choices=choices).render("x", value, attrs)
    assert parse_html(plain) == parse_html(forms.Select(choices=choices).render("x", value, attrs))
    grouped = [("Groupe", [("a", "A")]), ("b", "B")]  # optgroups: left to Django's templates
    assert parse_html(PlainSelect(choices=grouped).render("x", "a")) == parse_html(
        forms.Select(choices=grouped).render("x", "a")
    )


def test_the_filter_form_keeps_labels_errors_and_aria_invalid(ght):
    action_filter = ActionFilter(
        QueryDict("status=zz&due_before=demain&q=essai"), queryset=Action.objects.all(), ght=ght
    )
    assert not action_filter.form.is_valid()
    page = render(
        '{% for field in filter.form %}<div class="form__field"><label for="{{ field.id_for_label }}">'
        "{{ field.label }}{{ filter.form.label_suffix }}</label>{% if field.errors %}{{ field.errors }}{% endif %}"
        "{{ field }}</div>{% endfor %}",
        filter=action_filter,
    )
    expected = "".join(f'<div class="form__field">{field.as_field_group()}</div>' for field in action_filter.form)
    assert parse_html(page) == parse_html(expected)
    assert 'aria-invalid="true"' in page and "errorlist" in page


@pytest.mark.parametrize(
    ("data", "saved", "stale"),
    [
        (None, "", False),  # the list's row, with the unbound form
        ({"status": "zz", "health": "at_risk", "progress": "abc", "version": "3"}, "", False),  # refused inline
        ({"status": "en_cours", "health": "on_track", "progress": "", "version": ""}, "", True),  # stale, empty
        ({"status": "realisee", "health": "on_track", "progress": "100", "version": "2"}, "Enregistré & <b>", False),
    ],
)
def test_list_rows_are_the_template_rows(ght, rf, data, saved, stale):
    filiere = FiliereFactory(ght=ght, code="G<1>", name="Gériatrie « & »")
    action = ActionFactory(
        objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))),
        progress=40,
        code="A-<1>",
        title="Il « faut » <script>x</script>",
        owner=UserFactory(full_name="Zoé <b>Durand</b>"),
        due_date=YESTERDAY,
        governance_stage=Action.GovernanceStage.CONSULTED,
    )
    action.filieres.add(filiere, FiliereFactory(ght=ght, code="URG"))
    prefix = f"a{action.pk}"
    if data is not None:
        data = {f"{prefix}-{name}": value for name, value in data.items()}
    form = QuickFollowUpForm(data, action=action, prefix=prefix)
    form.is_valid()
    if stale:
        form.add_error(None, "Modifiée par <quelqu'un> d'autre.")
    back = '/alpha/actions/?q=a&b="c"'
    row = ListRows(rf.get("/"), ght.slug, back).row(action, Inputs.of_form(form), saved=saved)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    action.detail_url = action_url_maker(ght.slug)(action.pk)
    action.quick_url = action_url_maker(ght.slug, "action_quick_update")(action.pk)
    context = {"action": action, "form": form, "saved": saved, "back": back, "csrf_token": token}
    assert parse_html(row) == parse_html(render(LIST_ROW_TEMPLATE, **context))
    for name, pattern in (
        ("status", rf'<select name="{prefix}-status".*?</select>'),
        ("health", rf'<select name="{prefix}-health".*?</select>'),
        ("progress", rf'<input type="number" name="{prefix}-progress"[^>]*>'),
        ("version", rf'<input type="hidden" name="{prefix}-version"[^>]*>'),
    ):
        assert parse_html(element(row, pattern)) == parse_html(str(form[name])), name
        assert f'for="{form[name].id_for_label}"' in row or name == "version"
    assert "A-&lt;1&gt;" in row and "&lt;script&gt;" in row and "&lt;b&gt;Durand" in row


def test_list_rows_without_inputs_and_the_list_values(ght, rf):
    action = ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=ght))), owner=None)
    assert Inputs.of_action(action) == Inputs.of_form(QuickFollowUpForm(action=action, prefix=f"a{action.pk}"))
    row = ListRows(rf.get("/"), ght.slug, "/alpha/actions/").row(action, None)
    action.detail_url = action_url_maker(ght.slug)(action.pk)
    assert parse_html(row) == parse_html(render(LIST_ROW_TEMPLATE, action=action, form=None))
    assert "<form" not in row and "<select" not in row and "<td>—</td>" in row


def test_summary_rows_are_the_template_rows(ght):
    plan = PlanFactory(ght=ght)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan, position=1))
    owner = UserFactory(full_name="Zoé <b>Durand</b> & Cie")
    ActionFactory(
        objective=objective, code="A-1", title="Il « faut » <script>x</script>", owner=owner, due_date=YESTERDAY
    )
    ActionFactory(objective=objective, code="A-2", owner=None, due_date=None, status=Action.Status.DONE, progress=100)
    actions = list(Action.objects.filter(plan=plan).select_related("owner").annotate_late().order_by("code"))
    summary_rows(actions, ght.slug)
    for action in actions:
        assert parse_html(action.row) == parse_html(render(SUMMARY_ROW_TEMPLATE, a=action, current_ght=ght))
    assert "&lt;script&gt;" in actions[0].row and "badge--late" in actions[0].row
    assert "<td>—</td>" in actions[1].row


def test_timeline_rows_are_the_template_rows():
    rows = [
        timeline.Row(
            label="A-1 Un intitulé bien plus long que quarante-quatre caractères <em>à couper</em>",
            title="t",
            status_class="late",
            status_label="En cours, en retard",
            start=datetime.date(2026, 1, 5),
            due=datetime.date(2026, 9, 30),
            milestones=[
                (datetime.date(2026, 3, 1), "Jalon & <b>1</b>", True),
                (datetime.date(2026, 6, 1), "J2", False),
            ],
            url="/alpha/actions/1/",
            milestone_list=["Jalon & <b>1</b> (01/03/2026, atteint le 02/03/2026)", "J2 (01/06/2026)"],
        ),
        timeline.Row(label="A-2 Sans date", title="t", status_class="open", start=None, due=None),
        timeline.Row(
            label="A-3 Une seule date", title="t", status_class="done", start=None, due=datetime.date(2026, 2, 1)
        ),
    ]
    chart = timeline.layout([timeline.Group(label="Axe 1", rows=rows)], today=datetime.date(2026, 4, 1))
    draw_rows(chart)
    for row in rows:
        assert parse_html(row.svg) == parse_html(render(TIMELINE_ROW_TEMPLATE, row=row, chart=chart))
        assert parse_html(row.table_row) == parse_html(render(TIMELINE_TABLE_ROW_TEMPLATE, row=row))
    assert "&lt;b&gt;1&lt;/b&gt;" in rows[0].svg and "…" in rows[0].svg
