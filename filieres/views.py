"""Pages of the filières: the list, one filière (people, SWOT, objectives, actions, yearly roadmap),
and the office's forms for the filière, its pilots and its working group.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from actions.models import Action, Objective, Plan, in_filieres_q
from actions.rows import SUMMARY_FIELDS, label_rows, summary_rows
from filieres import services
from filieres.forms import FiliereForm, FiliereTextForm, PilotForm, WorkingGroupMemberForm
from filieres.models import Filiere, Pilot, WorkingGroupMember
from filieres.permissions import can_edit_filiere_text
from ght_portal.models import Role
from ght_portal.tenancy import OFFICE_ONLY, GHTMixin, get_for_ght_or_404, scoped
from ght_portal.views import add_service_errors

OFFICE_AND_PILOTS = frozenset({Role.OFFICE, Role.PILOT})


def chosen_year(value: str | None, today: datetime.date) -> int:
    """The ``?annee=`` of the roadmap; anything that is not a plausible year means this year."""
    if value and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return today.year


class FiliereListView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "filieres/filiere_list.html"

    def get_context_data(self, **kwargs):
        filieres = services.with_action_counts(
            scoped(Filiere, self.ght).prefetch_related("pilots__user").order_by("-is_active", "kind", "name"),
            timezone.localdate(),
        )
        return super().get_context_data(filieres=filieres, **kwargs)


class FiliereDetailView(GHTMixin, TemplateView):
    http_method_names = ["get", "head", "options"]  # read-only page
    template_name = "filieres/filiere_detail.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        filiere = get_for_ght_or_404(
            Filiere.objects.prefetch_related("establishments"), self.ght, pk=self.kwargs["filiere_id"]
        )
        pilots = scoped(Pilot, self.ght).filter(filiere=filiere).select_related("user", "establishment")
        working_group = (
            scoped(WorkingGroupMember, self.ght).filter(filiere=filiere).select_related("user", "establishment")
        )
        objectives = (
            scoped(Objective, self.ght)
            .filter(filiere=filiere)
            .select_related("axis__plan")
            .order_by("axis__plan__status", "-axis__plan__start_year", "axis__position", "position")
        )
        belongs = in_filieres_q(filiere)
        actions = list(
            scoped(Action, self.ght)
            .filter(belongs)
            .exclude(plan__status=Plan.Status.ARCHIVED)
            .select_related("owner")
            .only(*SUMMARY_FIELDS)
            .annotate_late(today)
            .distinct()
            .order_by("code")
        )
        summary_rows(actions, self.ght.slug)  # the table's rows, made in Python (actions.rows)
        year = chosen_year(self.request.GET.get("annee"), today)
        roadmap = list(services.roadmap_actions(filiere, year, today).select_related("owner", "lead_establishment"))
        label_rows(roadmap, self.ght.slug)
        span = scoped(Plan, self.ght).aggregate(first=Min("start_year"), last=Max("end_year"))
        years = range(min(span["first"] or today.year, today.year, year), max(span["last"] or today.year, year) + 1)
        return super().get_context_data(
            filiere=filiere,
            pilots=pilots.order_by("user__full_name"),
            working_group=working_group.order_by("user__full_name"),
            objectives=objectives,
            actions=actions,
            roadmap=roadmap,
            year=year,
            years=years,
            can_edit_text=can_edit_filiere_text(self.membership, filiere),
            **kwargs,
        )


class FiliereFormMixin(GHTMixin):
    read_roles = OFFICE_ONLY
    form_class = FiliereForm
    template_name = "filieres/filiere_form.html"
    object = None

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "ght": self.ght}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # builds the form first: it loads the object
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        filiere = form.save(commit=False)
        try:
            services.save_filiere(
                acting_user=self.request.user, filiere=filiere, establishments=form.cleaned_data["establishments"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("La filière « %(name)s » est enregistrée.") % {"name": filiere.name})
        return redirect("filiere_detail", ght_slug=self.ght.slug, filiere_id=filiere.pk)


class FiliereCreateView(FiliereFormMixin, FormView):
    pass


class FiliereUpdateView(FiliereFormMixin, FormView):
    def get_form_kwargs(self):
        self.object = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        return super().get_form_kwargs()


class FiliereTextUpdateView(GHTMixin, FormView):
    """Description and SWOT: the office, or a pilot of this filière (other pilots get 403)."""

    read_roles = OFFICE_AND_PILOTS
    write_roles = OFFICE_AND_PILOTS
    form_class = FiliereTextForm
    template_name = "filieres/filiere_text_form.html"

    def get_form_kwargs(self):
        self.object = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        if not can_edit_filiere_text(self.membership, self.object):
            raise PermissionDenied
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # builds the form first: it loads the filière
        return super().get_context_data(filiere=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.save_filiere(acting_user=self.request.user, filiere=form.save(commit=False))  # as the API
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("La description et l'analyse de la filière sont enregistrées."))
        return redirect("filiere_detail", ght_slug=self.ght.slug, filiere_id=self.object.pk)


class FilierePeopleView(GHTMixin, View):
    """The office's page for the pilots and the working group; the forms post to the views below."""

    read_roles = OFFICE_ONLY
    http_method_names = ["get"]
    template_name = "filieres/filiere_people.html"

    def get(self, request, *args, **kwargs):
        filiere = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        return render_people(request, self.ght, filiere)


def render_people(request, ght, filiere, *, pilot_form=None, group_form=None, status=200):
    context = {
        "filiere": filiere,
        "pilots": scoped(Pilot, ght).filter(filiere=filiere).select_related("user", "establishment"),
        "working_group": scoped(WorkingGroupMember, ght)
        .filter(filiere=filiere)
        .select_related("user", "establishment"),
        "pilot_form": pilot_form or PilotForm(ght=ght),
        "group_form": group_form or WorkingGroupMemberForm(ght=ght),
    }
    return render(request, FilierePeopleView.template_name, context, status=status)


class PeopleAddView(GHTMixin, View):
    """POST only: add a pilot (``kind="pilot"``) or a working-group member (``kind="group"``)."""

    read_roles = OFFICE_ONLY
    http_method_names = ["post"]
    kind = "pilot"

    def post(self, request, *args, **kwargs):
        filiere = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        form_class = PilotForm if self.kind == "pilot" else WorkingGroupMemberForm
        form = form_class(request.POST, ght=self.ght)
        forms_kw = "pilot_form" if self.kind == "pilot" else "group_form"
        if form.is_valid():
            try:
                if self.kind == "pilot":
                    services.add_pilot(acting_user=request.user, filiere=filiere, **form.cleaned_data)
                else:
                    services.add_working_group_member(acting_user=request.user, filiere=filiere, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                user = form.cleaned_data["user"]
                if self.kind == "pilot":
                    messages.success(request, _("%(name)s pilote maintenant la filière.") % {"name": user.full_name})
                    if not user.memberships.filter(ght=self.ght, role=Role.PILOT).exists():
                        messages.warning(
                            request,
                            _(
                                "%(name)s n'a pas le rôle « Pilote de filière » dans le GHT : "
                                "changez son rôle dans « Membres » pour qu'il ou elle puisse modifier la filière."
                            )
                            % {"name": user.full_name},
                        )
                else:
                    messages.success(request, _("%(name)s rejoint le groupe de travail.") % {"name": user.full_name})
                return redirect("filiere_people", ght_slug=self.ght.slug, filiere_id=filiere.pk)
        return render_people(request, self.ght, filiere, status=422, **{forms_kw: form})


class PeopleRemoveView(GHTMixin, View):
    """POST only: remove a pilot (and their grant) or a working-group member."""

    read_roles = OFFICE_ONLY
    http_method_names = ["post"]
    kind = "pilot"

    def post(self, request, *args, **kwargs):
        filiere = get_for_ght_or_404(Filiere, self.ght, pk=self.kwargs["filiere_id"])
        try:
            if self.kind == "pilot":
                pilot = get_for_ght_or_404(
                    Pilot.objects.select_related("user", "filiere"),
                    self.ght,
                    pk=self.kwargs["pilot_id"],
                    filiere=filiere,
                )
                services.remove_pilot(acting_user=request.user, pilot=pilot)
                name = pilot.user.full_name
                messages.success(request, _("%(name)s ne pilote plus la filière.") % {"name": name})
            else:
                member = get_for_ght_or_404(
                    WorkingGroupMember.objects.select_related("user", "filiere"),
                    self.ght,
                    pk=self.kwargs["working_group_member_id"],
                    filiere=filiere,
                )
                services.remove_working_group_member(acting_user=request.user, member=member)
                name = member.user.full_name
                messages.success(request, _("%(name)s quitte le groupe de travail.") % {"name": name})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("filiere_people", ght_slug=self.ght.slug, filiere_id=filiere.pk)
