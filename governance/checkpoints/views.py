"""Pages of the checkpoints (points d'étape): the campaigns, the office's follow-up of one campaign,
« Mes mises à jour » for pilots and owners, and the comparison of two pictures of the plan.

Every page costs a fixed number of queries: rows come in bulk with what they show, completion is
summed in Python from one query per kind of row, permissions come from one ``piloted_filiere_ids``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from actions.models import Action, Indicator, in_filieres_q
from actions.permissions import FOLLOWUP_ROLES, PilotedMixin, can_update_followup
from actions.services import StaleActionError
from filieres.models import Filiere
from ght_portal.models import Establishment, Role
from ght_portal.tenancy import OFFICE_ONLY, READ_ONLY_METHODS, GHTMixin, get_for_ght_or_404, scoped
from ght_portal.views import add_service_errors
from governance.checkpoints import services
from governance.checkpoints.comparison import compare, row_from_snapshot, row_from_state
from governance.checkpoints.forms import SCOPE_ALL, CampaignForm, CompareForm, ReturnForm, UpdateForm
from governance.checkpoints.state import read_states
from governance.models import Campaign, CheckpointUpdate, Snapshot


class CheckpointMixin(PilotedMixin, GHTMixin):
    def get_campaign(self) -> Campaign:
        return get_for_ght_or_404(Campaign.objects.select_related("plan"), self.ght, pk=self.kwargs["campaign_id"])


class CampaignListView(CheckpointMixin, TemplateView):
    http_method_names = READ_ONLY_METHODS
    template_name = "governance/checkpoint_list.html"

    def get_context_data(self, **kwargs):
        campaigns = scoped(Campaign, self.ght).select_related("plan").prefetch_related("filieres")
        return super().get_context_data(
            open_campaigns=[c for c in campaigns if c.is_open],
            closed_campaigns=[c for c in campaigns if not c.is_open],
            can_fill=self.membership.role in FOLLOWUP_ROLES,
            **kwargs,
        )


class CampaignCreateView(CheckpointMixin, FormView):
    read_roles = OFFICE_ONLY
    template_name = "governance/checkpoint_form.html"
    form_class = CampaignForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "ght": self.ght}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            campaign = services.open_campaign(
                acting_user=self.request.user,
                membership=self.membership,
                plan=data["plan"],
                title=data["title"],
                deadline=data["deadline"],
                all_filieres=data["scope"] == SCOPE_ALL,
                filieres=data["filieres"] if data["scope"] != SCOPE_ALL else [],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        count = campaign.updates.count()
        messages.success(
            self.request,
            _("Le point d'étape « %(title)s » est ouvert : %(count)s mise(s) à jour attendue(s).")
            % {"title": campaign.title, "count": count},
        )
        return redirect("checkpoint_detail", ght_slug=self.ght.slug, campaign_id=campaign.pk)


def _completion(rows, keys_of, labels: dict) -> list[dict]:
    """Submitted / owed per group, with the percentage, groups by label."""
    groups: dict = defaultdict(lambda: {"owed": 0, "submitted": 0})
    for row in rows:
        for key in keys_of(row):
            groups[key]["owed"] += 1
            groups[key]["submitted"] += row.state == CheckpointUpdate.State.SUBMITTED
    result = [
        {
            "label": labels.get(key, ""),
            "owed": counts["owed"],
            "submitted": counts["submitted"],
            "percent": round(100 * counts["submitted"] / counts["owed"]) if counts["owed"] else 0,
        }
        for key, counts in groups.items()
    ]
    return sorted(result, key=lambda group: (group["label"] == "", group["label"]))


class CampaignDetailView(CheckpointMixin, TemplateView):
    """The office's follow-up: completion by filière and establishment, who is late, send-backs."""

    read_roles = OFFICE_ONLY
    http_method_names = READ_ONLY_METHODS
    template_name = "governance/checkpoint_detail.html"

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        updates = list(
            scoped(CheckpointUpdate, self.ght)
            .filter(campaign=campaign)
            .select_related("action__owner", "action__objective", "submitted_by")
            .order_by("action__code")
        )
        links = defaultdict(set)
        for action_id, filiere_id in Action.filieres.through.objects.filter(
            action__ght=self.ght, action__checkpoint_updates__campaign=campaign
        ).values_list("action_id", "filiere_id"):
            links[action_id].add(filiere_id)
        for update in updates:
            objective = update.action.objective
            if objective is not None and objective.filiere_id is not None:
                links[update.action_id].add(objective.filiere_id)
        filieres = {f.pk: f for f in scoped(Filiere, self.ght)}
        for update in updates:
            update.filiere_codes = sorted(filieres[pk].code for pk in links[update.action_id] if pk in filieres)
        establishments = dict(scoped(Establishment, self.ght).values_list("pk", "name"))
        filiere_labels = {pk: str(f) for pk, f in filieres.items()} | {None: ""}
        by_filiere = _completion(updates, lambda u: links[u.action_id] or {None}, filiere_labels)
        by_establishment = _completion(updates, lambda u: [u.action.lead_establishment_id], establishments)
        pending = [u for u in updates if u.state != CheckpointUpdate.State.SUBMITTED]
        submitted = [u for u in updates if u.state == CheckpointUpdate.State.SUBMITTED]
        late_people: dict = defaultdict(list)
        for update in pending:
            late_people[str(update.action.owner) if update.action.owner_id else ""].append(update.action.code)
        total = len(updates)
        return super().get_context_data(
            campaign=campaign,
            total=total,
            submitted_count=len(submitted),
            percent=round(100 * len(submitted) / total) if total else 0,
            by_filiere=by_filiere,
            by_establishment=by_establishment,
            pending=pending,
            submitted=submitted,
            late_people=sorted(late_people.items(), key=lambda item: (item[0] == "", item[0])),
            past_deadline=campaign.deadline < timezone.localdate(),
            return_form=ReturnForm(),
            **kwargs,
        )


class CampaignCloseView(CheckpointMixin, TemplateView):
    """Asks for confirmation (GET), then closes and freezes the snapshots (POST)."""

    read_roles = OFFICE_ONLY
    template_name = "governance/checkpoint_close.html"

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        pending = scoped(CheckpointUpdate, self.ght).filter(campaign=campaign).exclude(state="submitted").count()
        return super().get_context_data(campaign=campaign, pending=pending, **kwargs)

    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        try:
            services.close_campaign(acting_user=request.user, membership=self.membership, campaign=campaign)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("checkpoint_list", ght_slug=self.ght.slug)
        messages.success(
            request,
            _("Le point d'étape « %(title)s » est clos : la situation de chaque action est figée.")
            % {"title": campaign.title},
        )
        url = reverse("checkpoint_compare", kwargs={"ght_slug": self.ght.slug, "campaign_id": campaign.pk})
        return redirect(url)


def _update_queryset(ght):
    return (
        scoped(CheckpointUpdate, ght)
        .select_related("campaign", "action__objective", "action__owner")
        .prefetch_related("action__filieres", Prefetch("action__indicators", queryset=Indicator.objects.order_by("id")))
    )


class MyUpdatesView(CheckpointMixin, TemplateView):
    """What a pilot or an owner still owes in the open campaigns (or one of them), with a form per update."""

    read_roles = FOLLOWUP_ROLES
    http_method_names = READ_ONLY_METHODS
    template_name = "governance/checkpoint_my_updates.html"

    def get_context_data(self, **kwargs):
        mine = Q(action__owner=self.request.user)
        if self.piloted:
            mine |= in_filieres_q(self.piloted, prefix="action__")
        if self.membership.role == Role.OFFICE:
            mine = Q(action__owner=self.request.user)
        campaigns = scoped(Campaign, self.ght).open()
        if "campaign_id" in self.kwargs:  # the link of a campaign's reminder mail: that campaign only
            campaigns = campaigns.filter(pk=self.get_campaign().pk)
        ids = scoped(CheckpointUpdate, self.ght).filter(mine, campaign__in=campaigns).values("pk").distinct()
        updates = list(_update_queryset(self.ght).filter(pk__in=ids).order_by("campaign__deadline", "action__code"))
        updates = [u for u in updates if can_update_followup(self.membership, u.action, self.piloted)]
        owed = [u for u in updates if u.state != CheckpointUpdate.State.SUBMITTED]
        forms = [UpdateForm(update=u, indicators=u.action.indicators.all()) for u in owed]
        return super().get_context_data(
            forms=forms, submitted=[u for u in updates if u.state == CheckpointUpdate.State.SUBMITTED], **kwargs
        )


class UpdateFillView(CheckpointMixin, TemplateView):
    """One update's form (also where a refused submission is shown again with its errors)."""

    read_roles = FOLLOWUP_ROLES
    write_roles = FOLLOWUP_ROLES
    template_name = "governance/checkpoint_update.html"

    def get_update(self) -> CheckpointUpdate:
        update = get_for_ght_or_404(_update_queryset(self.ght), self.ght, pk=self.kwargs["update_id"])
        if not can_update_followup(self.membership, update.action, self.piloted):
            raise PermissionDenied
        return update

    def render_form(self, update, form, status=200):
        return self.render_to_response(self.get_context_data(update=update, form=form), status=status)

    def get(self, request, *args, **kwargs):
        update = self.get_update()
        return self.render_form(update, UpdateForm(update=update, indicators=update.action.indicators.all()))

    def post(self, request, *args, **kwargs):
        update = self.get_update()
        form = UpdateForm(request.POST, update=update, indicators=update.action.indicators.all())
        if not form.is_valid():
            return self.render_form(update, form, status=422 if request.htmx else 200)
        data = form.cleaned_data
        try:
            services.submit_update(
                acting_user=request.user,
                membership=self.membership,
                update=update,
                status=data["status"],
                health=data["health"],
                progress=data["progress"],
                achievements=data["achievements"],
                blocking_points=data["blocking_points"],
                next_steps=data["next_steps"],
                measurements=form.declared,
                expected_version=data["version"],
                piloted=self.piloted,
            )
        except StaleActionError as error:
            # Show who changed what, and let the person submit again over the current version.
            fresh = request.POST.copy()
            fresh[form.add_prefix("version")] = error.current_version
            form = UpdateForm(fresh, update=update, indicators=update.action.indicators.all())
            form.is_valid()
            form.add_error(None, error)
            return self.render_form(update, form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(update, form)
        messages.success(request, _("La mise à jour de %(code)s est soumise. Merci !") % {"code": update.action.code})
        return redirect("checkpoint_my_updates", ght_slug=self.ght.slug)


class UpdateReturnView(CheckpointMixin, TemplateView):
    """The office sends a submitted update back, with a comment (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        update = get_for_ght_or_404(
            CheckpointUpdate.objects.select_related("action", "campaign"), self.ght, pk=self.kwargs["update_id"]
        )
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Dites ce qu'il faut compléter avant de renvoyer la mise à jour."))
        else:
            try:
                services.return_update(
                    acting_user=request.user,
                    membership=self.membership,
                    update=update,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("La mise à jour de %(code)s est renvoyée pour complément.") % {"code": update.action.code},
                )
        return redirect("checkpoint_detail", ght_slug=self.ght.slug, campaign_id=update.campaign_id)


def live_rows(ght, action_ids, today: datetime.date, codes: dict[int, str]):
    """Today's rows for these actions, read as the figures read them (``read_states``: four queries)."""
    states = read_states(ght.pk, Action.objects.filter(pk__in=action_ids), establishments=False)
    return [
        row_from_state(state, filiere_codes=sorted(codes[pk] for pk in state.filiere_ids if pk in codes), today=today)
        for state in states
    ]


class ComparisonView(CheckpointMixin, TemplateView):
    """A closed campaign against another closed campaign of the same plan, or against today."""

    http_method_names = READ_ONLY_METHODS
    template_name = "governance/checkpoint_compare.html"

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        context = {"campaign": campaign}
        if campaign.is_open:
            return super().get_context_data(**context, **kwargs)
        others = list(scoped(Campaign, self.ght).closed().filter(plan_id=campaign.plan_id).exclude(pk=campaign.pk))
        default = next((o for o in others if o.deadline <= campaign.deadline), None)
        data = (
            self.request.GET if "avec" in self.request.GET else {"avec": str(default.pk) if default else "aujourdhui"}
        )
        form = CompareForm(data, campaign=campaign, others=others)
        context["form"] = form
        if not form.is_valid():
            return super().get_context_data(**context, **kwargs)
        filieres = list(scoped(Filiere, self.ght).only("pk", "code", "name"))
        codes = {f.pk: f.code for f in filieres}
        names = {f.code: f.name for f in filieres}
        # The actions the checkpoint followed (the rest of the plan was frozen too, for the figures).
        snapshots = list(scoped(Snapshot, self.ght).filter(campaign=campaign, in_scope=True))
        choice = form.cleaned_data["avec"] or CompareForm.TODAY
        if choice == CompareForm.TODAY:
            other = None
            before = [row_from_snapshot(s) for s in snapshots]
            action_ids = [s.action_id for s in snapshots if s.action_id is not None]
            after = live_rows(self.ght, action_ids, timezone.localdate(), codes)
            labels = (campaign.title, _("Aujourd'hui"))
        else:
            other = next(o for o in others if str(o.pk) == choice)
            other_rows = [
                row_from_snapshot(s) for s in scoped(Snapshot, self.ght).filter(campaign=other, in_scope=True)
            ]
            own_rows = [row_from_snapshot(s) for s in snapshots]
            first_is_other = (other.deadline, other.pk) < (campaign.deadline, campaign.pk)
            before, after = (other_rows, own_rows) if first_is_other else (own_rows, other_rows)
            labels = (other.title, campaign.title) if first_is_other else (campaign.title, other.title)
        context.update(comparison=compare(before, after, filiere_names=names), other=other, labels=labels)
        return super().get_context_data(**context, **kwargs)
