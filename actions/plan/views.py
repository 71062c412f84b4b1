"""Pages of the plan structure: the GHT's plans, one plan as a tree, and the forms of its levels.

The tree costs a fixed number of queries: axes, objectives and actions of the plan are fetched once
each, and counts and average progress are rolled up in one pass in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Q, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from actions.models import CLOSED_STATUSES, Action, Axis, Objective, Plan
from actions.permissions import can_edit_objective, piloted_filiere_ids
from actions.plan import services as plan_services
from actions.plan.forms import AxisForm, ObjectiveForm, PlanForm
from actions.rows import SUMMARY_FIELDS, summary_rows
from ght_portal.models import Role
from ght_portal.tenancy import GHTMixin, get_for_ght_or_404, scoped
from ght_portal.views import add_service_errors

OFFICE_AND_PILOTS = frozenset({Role.OFFICE, Role.PILOT})


def natural_key(code: str) -> list:
    """Sort "FMS-2" before "FMS-10" and "2" before "12"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code)]


def plans_in_order(ght):
    """Active plan first, then drafts, then archived ones; the most recent first within each."""
    rank = Case(
        When(status=Plan.Status.ACTIVE, then=0),
        When(status=Plan.Status.DRAFT, then=1),
        default=2,
        output_field=IntegerField(),
    )
    return scoped(Plan, ght).order_by(rank, "-start_year", "title")


@dataclass
class Rollup:
    """Counts and average progress of the actions under a node of the tree."""

    count: int = 0
    late: int = 0
    done: int = 0
    progress_total: int = 0

    def add(self, action: Action) -> None:
        self.count += 1
        self.late += int(action.is_late_db)
        self.done += int(action.status == Action.Status.DONE)
        self.progress_total += action.progress

    @property
    def progress(self) -> int:
        return round(self.progress_total / self.count) if self.count else 0


def build_tree(plan: Plan, ght, today) -> tuple[list[Axis], list[Action], Rollup]:
    """Axes with ``.objective_list`` and ``.rollup``; objectives with ``.action_list`` and ``.rollup``.

    Three queries. Returns the axes, the actions without objective, and the plan's rollup.
    """
    axes = list(scoped(Axis, ght).filter(plan=plan).order_by("position"))
    objectives = list(
        scoped(Objective, ght).filter(axis__plan=plan).select_related("filiere").order_by("position", "id")
    )
    actions = sorted(
        scoped(Action, ght)
        .filter(plan=plan)
        .select_related("owner")
        # What the rows show: 600 rows load in half the time without descriptions and timestamps.
        .only(*SUMMARY_FIELDS)
        .annotate_late(today),
        key=lambda action: natural_key(action.code),
    )
    by_objective = {objective.pk: objective for objective in objectives}
    for objective in objectives:
        objective.action_list, objective.rollup = [], Rollup()
    by_axis = {axis.pk: axis for axis in axes}
    for axis in axes:
        axis.objective_list, axis.rollup = [], Rollup()
    for objective in objectives:
        by_axis[objective.axis_id].objective_list.append(objective)
    orphans, total = [], Rollup()
    for action in actions:
        total.add(action)
        objective = by_objective.get(action.objective_id)
        if objective is None:
            orphans.append(action)
            continue
        objective.action_list.append(action)
        objective.rollup.add(action)
        by_axis[objective.axis_id].rollup.add(action)
    return axes, orphans, total


class PlanListView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "actions/plan_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        # late_condition() spelled through the relation (same constants, one query for the list).
        late = Q(actions__due_date__lt=today) & ~Q(actions__status__in=CLOSED_STATUSES)
        plans = plans_in_order(self.ght).annotate(
            action_count=Count("actions", distinct=True),
            late_count=Count("actions", filter=late, distinct=True),
            axis_count=Count("axes", distinct=True),
        )
        return super().get_context_data(plans=plans, **kwargs)


class PlanDetailView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "actions/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan = get_for_ght_or_404(Plan, self.ght, pk=self.kwargs["plan_id"])
        axes, orphans, total = build_tree(plan, self.ght, timezone.localdate())
        pilot_ids = piloted_filiere_ids(self.membership)
        for axis in axes:
            for objective in axis.objective_list:
                objective.can_edit = can_edit_objective(self.membership, objective, pilot_ids)
        listed = [action for axis in axes for objective in axis.objective_list for action in objective.action_list]
        summary_rows(listed + orphans, self.ght.slug)  # the table rows, made in Python (actions.rows)
        return super().get_context_data(
            plan=plan, axes=axes, orphans=orphans, total=total, axis_word=plan.get_axis_label_display(), **kwargs
        )


def saved(form, save, **kwargs) -> bool:
    """Hand the form's row to its service (``actions.plan.services``); its refusals go on the form."""
    try:
        save(**kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


class PlanFormMixin(GHTMixin):
    read_roles = frozenset({Role.OFFICE})
    form_class = PlanForm
    template_name = "actions/plan_form.html"

    object = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "ght": self.ght}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # builds the form first: it loads the object
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        plan = form.save(commit=False)
        if not saved(
            form, plan_services.save_plan, acting_user=self.request.user, membership=self.membership, plan=plan
        ):
            return self.form_invalid(form)
        messages.success(self.request, _("Le projet « %(title)s » est enregistré.") % {"title": form.instance.title})
        return redirect("plan_detail", ght_slug=self.ght.slug, plan_id=form.instance.pk)


class PlanCreateView(PlanFormMixin, FormView):
    pass


class PlanUpdateView(PlanFormMixin, FormView):
    def get_form_kwargs(self):
        self.object = get_for_ght_or_404(Plan, self.ght, pk=self.kwargs["plan_id"])
        return {**super().get_form_kwargs(), "instance": self.object}


class AxisFormMixin(GHTMixin):
    read_roles = frozenset({Role.OFFICE})
    form_class = AxisForm
    template_name = "actions/plan_axis_form.html"

    def get_plan_and_instance(self) -> tuple[Plan, Axis | None]:
        plan = get_for_ght_or_404(Plan, self.ght, pk=self.kwargs["plan_id"])
        return plan, None

    def get_form_kwargs(self):
        self.plan, self.object = self.get_plan_and_instance()
        kwargs = {**super().get_form_kwargs(), "plan": self.plan}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # builds the form first: it loads plan and object
        return super().get_context_data(plan=self.plan, object=self.object, **kwargs)

    def form_valid(self, form):
        axis = form.save(commit=False)
        if not saved(
            form, plan_services.save_axis, acting_user=self.request.user, membership=self.membership, axis=axis
        ):
            return self.form_invalid(form)
        messages.success(self.request, _("« %(title)s » est enregistré.") % {"title": form.instance.title})
        return redirect("plan_detail", ght_slug=self.ght.slug, plan_id=self.plan.pk)


class AxisCreateView(AxisFormMixin, FormView):
    def get_initial(self):
        last = scoped(Axis, self.ght).filter(plan_id=self.kwargs["plan_id"]).order_by("-position")
        return {"position": (last.values_list("position", flat=True).first() or 0) + 1}


class AxisUpdateView(AxisFormMixin, FormView):
    def get_plan_and_instance(self):
        axis = get_for_ght_or_404(Axis.objects.select_related("plan"), self.ght, pk=self.kwargs["axis_id"])
        return axis.plan, axis


class ObjectiveFormMixin(GHTMixin):
    form_class = ObjectiveForm
    template_name = "actions/plan_objective_form.html"

    def get_plan_and_instance(self) -> tuple[Plan, Objective | None]:
        raise NotImplementedError

    def get_form_kwargs(self):
        self.plan, self.object = self.get_plan_and_instance()
        kwargs = {
            **super().get_form_kwargs(),
            "plan": self.plan,
            "can_choose_filiere": self.membership.role == Role.OFFICE,
        }
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # builds the form first: it loads plan and object
        return super().get_context_data(plan=self.plan, object=self.object, **kwargs)

    def form_valid(self, form):
        objective = form.save(commit=False)
        kwargs = {"acting_user": self.request.user, "membership": self.membership, "objective": objective}
        if not saved(form, plan_services.save_objective, **kwargs):
            return self.form_invalid(form)
        messages.success(self.request, _("L'objectif « %(title)s » est enregistré.") % {"title": form.instance.title})
        return redirect(
            reverse("plan_detail", kwargs={"ght_slug": self.ght.slug, "plan_id": self.plan.pk})
            + f"#objectif-{form.instance.pk}"
        )


class ObjectiveCreateView(ObjectiveFormMixin, FormView):
    read_roles = frozenset({Role.OFFICE})

    def get_plan_and_instance(self):
        return get_for_ght_or_404(Plan, self.ght, pk=self.kwargs["plan_id"]), None

    def get_initial(self):
        axis_id = self.request.GET.get("axe", "")
        return {"axis": int(axis_id)} if axis_id.isdigit() else {}


class ObjectiveUpdateView(ObjectiveFormMixin, FormView):
    """Office, or a pilot of the objective's filière (anyone else with role PILOT gets 403)."""

    read_roles = OFFICE_AND_PILOTS
    write_roles = OFFICE_AND_PILOTS

    def get_plan_and_instance(self):
        objective = get_for_ght_or_404(
            Objective.objects.select_related("axis__plan"), self.ght, pk=self.kwargs["objective_id"]
        )
        if not can_edit_objective(self.membership, objective):
            raise PermissionDenied
        return objective.axis.plan, objective
