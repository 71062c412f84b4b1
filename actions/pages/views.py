"""Pages of the plan's actions: the lists (all, « Mes actions »), the action page, its forms, and the
inline follow-up from the lists.

Every page costs a fixed number of queries: rows come with their owner, objective and filières in
bulk, permissions are decided in Python from one ``piloted_filiere_ids`` query, and the filter's
choices are plain lists (see ``actions.filters``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from actions import services
from actions.filters import ActionFilter
from actions.models import STOPPED_STATUSES, Action, ActionStatus, ActionUpdate, Indicator, Measurement, Plan
from actions.pages import detail as detail_views
from actions.pages.access import ActionPermissionMixin
from actions.pages.forms import ActionForm, CommentForm, FollowUpForm, QuickFollowUpForm
from actions.pages.list_rows import Inputs, ListRows
from actions.permissions import (
    EDITOR_ROLES,
    FOLLOWUP_ROLES,
    can_create_action,
    can_edit_action,
    can_manage_plan,
    can_update_followup,
)
from actions.spreadsheet.views import xlsx_response
from actions.spreadsheet.workbook import export_actions
from filieres.models import Filiere
from ght_portal.tenancy import READ_ONLY_METHODS, get_for_ght_or_404, scoped
from ght_portal.views import add_service_errors

# The statuses whose date the office may correct (« Corriger la date » on the action page).
DATED_STATUSES = STOPPED_STATUSES | {ActionStatus.DONE}
# The list's columns: (label, sort key or None), in order.
COLUMNS = [
    (_lazy("Code"), "code"),
    (_lazy("Intitulé"), "title"),
    (_lazy("Filières"), None),
    (_lazy("Responsable"), "owner"),
    (_lazy("Échéance"), "due_date"),
    (_lazy("Statut"), "status"),
    (_lazy("État de santé"), None),
    (_lazy("Avancement"), "progress"),
]


# What a list row shows (actions.pages.list_rows) or its permission check reads (actions.permissions):
# only these columns are loaded, not descriptions, the owners' password hashes or the search vectors.
ROW_FIELDS = (
    "ght_id",
    "plan_id",
    "code",
    "title",
    "status",
    "health",
    "progress",
    "due_date",
    "governance_stage",
    "version",
    "owner__full_name",
    "owner__email",
    "objective__filiere",
)


def with_rows(queryset):
    """The actions with what their rows read, in bulk: owner and objective joined, filières prefetched."""
    filieres = Filiere.objects.only("pk", "code", "name").order_by("code")
    return (
        queryset.select_related("owner", "objective")
        .prefetch_related(Prefetch("filieres", queryset=filieres))
        .only(*ROW_FIELDS)
    )


# --- Lists -----------------------------------------------------------------------------------------


class ActionListView(ActionPermissionMixin, ListView):
    http_method_names = READ_ONLY_METHODS
    template_name = "actions/action_list.html"
    paginate_by = 25
    mine = False

    def base_queryset(self):
        return scoped(Action, self.ght)

    def filtered_queryset(self):
        """The actions as filtered and sorted on screen, all pages (the list and its export)."""
        self.filterset = ActionFilter(self.request.GET, queryset=self.base_queryset(), ght=self.ght)
        queryset = self.filterset.qs
        ordering = [term for term in queryset.query.order_by] or ["code"]
        return queryset.order_by(*ordering, "pk")

    def get_queryset(self):
        return with_rows(self.filtered_queryset())

    def columns(self) -> list[dict]:
        """Header cells; a sortable one links to its ascending sort, or descending when already ascending."""
        current = self.request.GET.get("sort", "")
        columns = []
        for label, key in COLUMNS:
            column = {"label": label, "key": key, "aria": ""}
            if key:
                column["next"] = f"-{key}" if current == key else key
                column["aria"] = "ascending" if current == key else "descending" if current == f"-{key}" else ""
            columns.append(column)
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back = self.request.get_full_path()
        drawer = ListRows(self.request, self.ght.slug, back)
        rows = []
        for action in context["object_list"]:
            inputs = Inputs.of_action(action) if can_update_followup(self.membership, action, self.piloted) else None
            action.row = drawer.row(action, inputs)  # made in Python: actions.pages.list_rows
            rows.append((action, inputs))
        context.update(
            filter=self.filterset,
            rows=rows,
            mine=self.mine,
            columns=self.columns(),
            can_create=can_create_action(self.membership, self.piloted),
            can_import=can_manage_plan(self.membership),
        )
        return context


class MyActionsView(ActionListView):
    """What the signed-in person owns or contributes to, or that belongs to a filière they pilot."""

    mine = True

    def base_queryset(self):
        user = self.request.user
        contributes = Action.contributors.through.objects.filter(action_id=OuterRef("pk"), user_id=user.pk)
        mine = Q(owner_id=user.pk) | Exists(contributes)
        if self.piloted:
            mine |= Q(pk__in=Action.objects.in_filieres(self.piloted).values("pk"))
        return scoped(Action, self.ght).filter(mine)


class ExportMixin:
    """The list exactly as filtered and sorted on screen, all pages, in the import's format:
    export → edit in Excel → import round-trips. ``?plan=`` of another GHT (or no plan) → 404."""

    def get(self, request, *args, **kwargs):
        actions = self.filtered_queryset()  # export_actions loads what the export reads
        if "plan" in self.filterset.form.errors:
            raise Http404  # a plan of another GHT, or no plan at all
        name = "mes-actions" if self.mine else "actions"
        chosen = self.filterset.form.cleaned_data.get("plan")
        plan = next((plan for plan in self.filterset.plans if str(plan.pk) == chosen), None)
        period = f"-{plan.start_year}-{plan.end_year}" if plan else ""
        return xlsx_response(export_actions(actions), f"{name}-{self.ght.slug}{period}.xlsx")


class ActionExportView(ExportMixin, ActionListView):
    pass


class MyActionsExportView(ExportMixin, MyActionsView):
    pass


# --- The action page -------------------------------------------------------------------------------


class ActionDetailView(ActionPermissionMixin, TemplateView):
    """The action page: its fields, milestones, indicators with their measurements, its log and its
    full history, in a fixed number of queries (everything prefetched, the log read once)."""

    http_method_names = READ_ONLY_METHODS
    template_name = "actions/action_detail.html"

    def get_context_data(self, **kwargs):
        from governance import services as governance_services  # the action's path through the instances

        indicators = Indicator.objects.prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"))
        )
        action = self.get_action(
            Action.objects.select_related("objective__axis", "lead_establishment").prefetch_related(
                "establishments",
                "contributors",
                "milestones",
                Prefetch("indicators", queryset=indicators),
            )
        )
        entries = list(action.updates.select_related("author"))
        logged = [entry for entry in entries if entry.kind == ActionUpdate.Kind.CHANGE]
        updates = [entry for entry in entries if entry.kind != ActionUpdate.Kind.CHANGE]
        may_follow = can_update_followup(self.membership, action, self.piloted)
        can_edit = can_edit_action(self.membership, action, self.piloted)
        today = timezone.localdate()
        milestones = [
            (
                milestone,
                detail_views.milestone_state(milestone, today),
                detail_views.milestone_done_form(milestone) if may_follow else None,
            )
            for milestone in action.milestones.all()
        ]
        return super().get_context_data(
            action=action,
            updates=updates,
            history=services.action_history(action, logged),
            milestones=milestones,
            indicators=detail_views.indicator_views(action.indicators.all(), may_follow),
            can_edit=can_edit,
            can_correct_dates=can_manage_plan(self.membership) and action.status in DATED_STATUSES,
            can_follow=may_follow,
            comment_form=CommentForm() if may_follow else None,
            **governance_services.action_governance(self.membership, action, can_edit=can_edit),
            **kwargs,
        )


# --- Create and edit -------------------------------------------------------------------------------


class ActionFormMixin(ActionPermissionMixin):
    read_roles = EDITOR_ROLES
    write_roles = EDITOR_ROLES
    template_name = "actions/action_form.html"

    def render_form(self, form, status=200, **extra):
        return render(self.request, self.template_name, {"form": form, **extra}, status=status)


class ActionCreateView(ActionFormMixin, View):
    def get_plan(self) -> Plan | None:
        """The plan asked for in the URL (?plan=), or the plan in force, or the latest draft."""
        plans = scoped(Plan, self.ght).exclude(status=Plan.Status.ARCHIVED)
        chosen = self.request.GET.get("plan", "")
        if chosen.isdigit():
            return get_for_ght_or_404(plans, self.ght, pk=chosen)
        return plans.order_by("status", "-start_year").first()  # "active" sorts before "draft"

    def make_form(self, plan, data=None):
        return ActionForm(data, ght=self.ght, plan=plan, membership=self.membership, piloted=self.piloted)

    def get(self, request, *args, **kwargs):
        self.require(can_create_action(self.membership, self.piloted))
        plan = self.get_plan()
        if plan is None:
            return self.render_form(None, no_plan=True)
        return self.render_form(self.make_form(plan), plan=plan)

    def post(self, request, *args, **kwargs):
        self.require(can_create_action(self.membership, self.piloted))
        plan = self.get_plan()
        if plan is None:
            return self.render_form(None, no_plan=True, status=422)
        form = self.make_form(plan, request.POST)
        if form.is_valid():
            try:
                action = services.create_action(
                    acting_user=request.user, membership=self.membership, plan=plan, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("L'action « %(code)s » est créée.") % {"code": action.code})
                return redirect("action_detail", ght_slug=self.ght.slug, action_id=action.pk)
        return self.render_form(form, plan=plan, status=422)


def show_stale(form, error: services.StaleActionError) -> None:
    """Keep the person's input, show what the other person changed, and arm the form with the
    current version: saving again is then a decision taken knowing those changes."""
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = str(error.current_version)
    form.add_error(None, error)


class ActionUpdateView(ActionFormMixin, View):
    def make_form(self, action, data=None):
        return ActionForm(
            data, instance=action, ght=self.ght, plan=action.plan, membership=self.membership, piloted=self.piloted
        )

    def get(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_edit_action(self.membership, action, self.piloted))
        return self.render_form(self.make_form(action), action=action, plan=action.plan)

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_edit_action(self.membership, action, self.piloted))
        form = self.make_form(action, request.POST)
        if form.is_valid():
            try:
                services.update_action(
                    acting_user=request.user,
                    membership=self.membership,
                    action=action,
                    data=form.cleaned_data,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleActionError as error:
                show_stale(form, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("L'action « %(code)s » est enregistrée.") % {"code": action.code})
                return redirect("action_detail", ght_slug=self.ght.slug, action_id=action.pk)
        return self.render_form(form, action=action, plan=action.plan, status=422)


# --- Follow-up -------------------------------------------------------------------------------------


class FollowUpView(ActionPermissionMixin, View):
    """Status, health and progress with a text, logged as an update (owner, pilot, office)."""

    read_roles = FOLLOWUP_ROLES
    write_roles = FOLLOWUP_ROLES
    template_name = "actions/action_followup.html"

    def get(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_update_followup(self.membership, action, self.piloted))
        return render(request, self.template_name, {"action": action, "form": FollowUpForm(action=action)})

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_update_followup(self.membership, action, self.piloted))
        form = FollowUpForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_followup(
                    acting_user=request.user,
                    membership=self.membership,
                    action=action,
                    status=data["status"],
                    health=data["health"],
                    progress=data["progress"],
                    text=data["text"],
                    expected_version=data["version"],
                    piloted=self.piloted,
                )
            except services.StaleActionError as error:
                show_stale(form, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Le point de suivi est enregistré."))
                return redirect("action_detail", ght_slug=self.ght.slug, action_id=action.pk)
        return render(request, self.template_name, {"action": action, "form": form}, status=422)


class CommentView(ActionPermissionMixin, View):
    http_method_names = ["post"]
    write_roles = FOLLOWUP_ROLES

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_update_followup(self.membership, action, self.piloted))
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.add_comment(
                    acting_user=request.user, membership=self.membership, action=action, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Votre commentaire est ajouté."))
        else:
            messages.error(request, _("Écrivez un commentaire."))
        return redirect(reverse("action_detail", kwargs={"ght_slug": self.ght.slug, "action_id": action.pk}) + "#suivi")


def form_errors(form) -> str:
    """A form's errors on one line, for a flash message after a plain (non-htmx) POST."""
    parts = [str(error) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name != "__all__":
            parts.append(f"{form.fields[name].label} : {' '.join(errors)}")
    return " ".join(parts)


class QuickFollowUpView(ActionPermissionMixin, View):
    """Inline update from a list row: htmx swaps the row; without JavaScript, a POST and a redirect back."""

    http_method_names = ["post"]
    write_roles = FOLLOWUP_ROLES

    def back(self) -> str:
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}) and target.startswith(
            f"/{self.ght.slug}/"
        ):
            return target
        return reverse("action_list", kwargs={"ght_slug": self.ght.slug})

    def row(self, action, form, status=200, saved=""):
        """The row as the list draws it, with the form's values and errors."""
        drawn = ListRows(self.request, self.ght.slug, self.back()).row(action, Inputs.of_form(form), saved)
        return HttpResponse(drawn, status=status)

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        self.require(can_update_followup(self.membership, action, self.piloted))
        prefix = f"a{action.pk}"
        form = QuickFollowUpForm(request.POST, action=action, prefix=prefix)
        refused = False
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = services.update_followup(
                    acting_user=request.user,
                    membership=self.membership,
                    action=action,
                    status=data["status"],
                    health=data["health"],
                    progress=data["progress"],
                    text=data["text"],
                    expected_version=data["version"],
                    piloted=self.piloted,
                )
            except services.StaleActionError as error:
                action = self.get_action()
                show_stale(form, error)
                refused = True
            except ValidationError as error:
                add_service_errors(form, error)
                refused = True
        else:
            refused = True
        if refused:
            if request.htmx:
                return self.row(action, form, status=422)
            messages.error(
                request, _("Action %(code)s : %(errors)s") % {"code": action.code, "errors": form_errors(form)}
            )
            return HttpResponseRedirect(self.back())
        saved = _("Enregistré.")
        if request.htmx:
            action = self.get_action()
            return self.row(action, QuickFollowUpForm(action=action, prefix=prefix), saved=saved)
        messages.success(request, _("Action %(code)s : suivi enregistré.") % {"code": action.code})
        return HttpResponseRedirect(self.back())
