"""The filters of the action lists, all read from (and kept in) the query string so that a filtered,
sorted page can be bookmarked and shared.

Choices are plain (id, label) lists built once from the current GHT's rows, not model choice
fields: validating a chosen value costs no query, and an id of another GHT is not among the
choices, so it is refused as invalid and filters nothing.
"""

from __future__ import annotations

import html

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from actions.models import Action, Axis, Objective, Plan, late_condition
from filieres.models import Filiere
from ght_portal.models import GHT, Establishment
from ght_portal.tenancy import member_users

LATE_CHOICES = [("oui", _("En retard")), ("non", _("Pas en retard"))]
ALL_PLANS = "tous"


class PlainSelect(forms.Select):
    """A select whose options are drawn in Python rather than through Django's widget templates
    (two template renders per option: ~150 options make ~300 renders on every list page), and
    without the option dictionaries ``optgroups`` builds for those templates.

    Same markup as ``forms.Select`` for flat choices: ``name`` first, then the attributes (``id``,
    ``aria-invalid``...) and one ``<option>`` per choice, ``selected`` on the first choice of the
    current value, as ``ChoiceWidget.optgroups`` decides it.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # groups or several values: Django's templates
        values = self.format_value(value)
        options, has_selected = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in values
            has_selected |= selected
            # html.escape, as Django's escape does, without the lazy-string checks of format_html
            # (which cost more than the escaping on the ~150 options of a list page).
            options.append(
                f'\n  <option value="{html.escape(option_value)}"{" selected" if selected else ""}>'
                f"{html.escape(str(label))}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # noqa: S308
        )


class LazyChoices(BaseChoiceIterator):
    """(id, label) pairs of ``rows``, loaded on first use and then kept: a page that draws the form loads
    each list once, as before, and the API (which draws no form) loads only the lists of the filters it
    is given, to validate them. Shared by the copies Django makes of the form's fields."""

    def __init__(self, rows, label):
        self.rows, self.label, self.loaded = rows, label, None

    def __iter__(self):
        if self.loaded is None:
            self.loaded = [(str(row.pk), self.label(row)) for row in self.rows]
        return iter(self.loaded)

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __deepcopy__(self, memo):
        return self


def _choices(rows, label=str) -> LazyChoices:
    return LazyChoices(rows, label)


class ActionFilter(django_filters.FilterSet):
    plan = django_filters.ChoiceFilter(label=_("Projet"), method="filter_plan", empty_label=None)
    axis = django_filters.ChoiceFilter(label=_("Axe"), field_name="objective__axis", empty_label=_("Tous"))
    objective = django_filters.ChoiceFilter(label=_("Objectif"), field_name="objective", empty_label=_("Tous"))
    filiere = django_filters.ChoiceFilter(label=_("Filière"), field_name="filieres", empty_label=_("Toutes"))
    establishment = django_filters.ChoiceFilter(
        label=_("Établissement"), method="filter_establishment", empty_label=_("Tous")
    )
    owner = django_filters.ChoiceFilter(label=_("Responsable"), field_name="owner", empty_label=_("Tous"))
    status = django_filters.ChoiceFilter(label=_("Statut"), choices=Action.Status.choices, empty_label=_("Tous"))
    health = django_filters.ChoiceFilter(label=_("État de santé"), choices=Action.Health.choices, empty_label=_("Tous"))
    governance_stage = django_filters.ChoiceFilter(
        label=_("Étape en instance"), choices=Action.GovernanceStage.choices, empty_label=_("Toutes")
    )
    late = django_filters.ChoiceFilter(
        label=_("Retard"), choices=LATE_CHOICES, method="filter_late", empty_label=_("Tous")
    )
    due_before = django_filters.DateFilter(
        label=_("Échéance au plus tard le"),
        field_name="due_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_search")
    sort = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(
            ("code", "code"),
            ("title", "title"),
            ("due_date", "due_date"),
            ("status", "status"),
            ("progress", "progress"),
            ("owner__full_name", "owner"),
        ),
        field_labels={
            "code": _("Code"),
            "title": _("Intitulé"),
            "due_date": _("Échéance"),
            "status": _("Statut"),
            "progress": _("Avancement"),
            "owner__full_name": _("Responsable"),
        },
        empty_label=_("Code (par défaut)"),
    )

    class Meta:
        model = Action
        fields: list[str] = []

    def __init__(self, data=None, *args, ght: GHT, **kwargs):
        self.ght = ght
        self.plans = list(Plan.objects.filter(ght=ght).order_by("-start_year", "title"))
        data = data.copy() if data is not None else None
        active = next((plan for plan in self.plans if plan.status == Plan.Status.ACTIVE), None)
        if data is not None and not data.get("plan"):
            # No plan chosen: the plan in force (or every plan when none is, or on request).
            data["plan"] = str(active.pk) if active and "plan" not in data else ALL_PLANS
        super().__init__(data, *args, **kwargs)
        chosen = self.data.get("plan") if self.data else None
        plan_id = int(chosen) if chosen and chosen.isdigit() else None
        plan_filter = {"plan_id": plan_id} if plan_id else {}

        # Only the columns the labels show: full rows (descriptions, SWOT texts...) cost more to load.
        axes = Axis.objects.filter(ght=ght, **plan_filter).order_by("plan_id", "position").only("position", "title")
        objectives = Objective.objects.filter(ght=ght, **({"axis__plan_id": plan_id} if plan_id else {}))
        objectives = objectives.order_by("axis__position", "position", "id").only("code", "title")
        filters = self.filters
        for choice_filter in filters.values():
            if isinstance(choice_filter, django_filters.ChoiceFilter):
                choice_filter.extra["widget"] = PlainSelect
        filters["plan"].extra["choices"] = [
            (ALL_PLANS, _("Tous les projets")),
            *_choices(self.plans),
        ]
        filters["axis"].extra["choices"] = _choices(axes)
        filters["objective"].extra["choices"] = _choices(objectives)
        filters["filiere"].extra["choices"] = _choices(
            Filiere.objects.filter(ght=ght).order_by("name").only("code", "name")
        )
        filters["establishment"].extra["choices"] = _choices(
            Establishment.objects.filter(ght=ght).in_ght_order().only("name")
        )
        filters["owner"].extra["choices"] = _choices(member_users(ght).only("pk", "full_name", "email"))

    def filter_plan(self, queryset, name, value):
        return queryset if value == ALL_PLANS else queryset.filter(plan_id=value)

    def filter_establishment(self, queryset, name, value: str):  # the hint documents it in the API schema
        involved = Action.establishments.through.objects.filter(action_id=OuterRef("pk"), establishment_id=value)
        return queryset.filter(Q(lead_establishment_id=value) | Exists(involved))

    def filter_late(self, queryset, name, value):
        condition = late_condition(timezone.localdate())
        return queryset.filter(condition) if value == "oui" else queryset.exclude(condition)

    def filter_search(self, queryset, name, value):
        """French full-text search over code, title and description; a code typed as is also matches."""
        value = value.strip()
        if not value:
            return queryset
        query = SearchQuery(value, config="french", search_type="websearch")
        return queryset.filter(Q(search_vector=query) | Q(code__iexact=value))  # Action.search_vector: GIN
