"""Pages of the instances, their meetings (séances) and decisions, and the proposal of an action.

Everyone in the GHT reads. The office manages instances and who sits on them; the office and the
instance's secretaries (role « Direction / membre d'instance ») record meetings and decisions — the role
gate is ``RECORDER_ROLES``, the object-level rule ``governance.permissions.can_record`` (403 on another instance).
Every page costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from actions.models import Action
from actions.permissions import can_edit_action
from ght_portal.formats import short_date
from ght_portal.models import Role
from ght_portal.tenancy import OFFICE_ONLY, READ_ONLY_METHODS, GHTMixin, get_for_ght_or_404, scoped
from ght_portal.views import add_service_errors
from governance import services
from governance.forms import (
    AgendaItemForm,
    AttendanceForm,
    DecisionFilterForm,
    DecisionForm,
    InstanceForm,
    MeetingForm,
    SeatForm,
    SeatRoleForm,
)
from governance.models import AgendaItem, Attendance, Instance, InstanceMember, Meeting
from governance.permissions import RECORDER_ROLES, can_record, secretary_instance_ids

POST_ONLY = ["post"]


def seats_in_order(queryset):
    """President first, then secretaries, then members, by name."""
    rank = {InstanceMember.SeatRole.PRESIDENT: 0, InstanceMember.SeatRole.SECRETARY: 1}
    return sorted(queryset, key=lambda seat: (rank.get(seat.role, 2), seat.user.full_name, seat.pk))


class GovernanceMixin(GHTMixin):
    @cached_property
    def secretary_of(self) -> frozenset[int]:
        return secretary_instance_ids(self.membership)

    def can_record(self, instance: Instance) -> bool:
        return can_record(self.membership, instance, self.secretary_of)

    def require_recorder(self, instance: Instance) -> None:
        if not self.can_record(instance):
            raise PermissionDenied

    def get_instance(self) -> Instance:
        return get_for_ght_or_404(Instance, self.ght, pk=self.kwargs["instance_id"])

    def get_meeting(self) -> Meeting:
        return get_for_ght_or_404(Meeting.objects.select_related("instance"), self.ght, pk=self.kwargs["meeting_id"])


# --- Instances ----------------------------------------------------------------------------------------


class InstanceListView(GovernanceMixin, TemplateView):
    http_method_names = READ_ONLY_METHODS
    template_name = "governance/instance_list.html"

    def get_context_data(self, **kwargs):
        instances = scoped(Instance, self.ght).annotate(
            seat_count=Count("members", distinct=True), meeting_count=Count("meetings", distinct=True)
        )
        presidents = {
            seat.instance_id: seat.user
            for seat in scoped(InstanceMember, self.ght)
            .filter(role=InstanceMember.SeatRole.PRESIDENT)
            .select_related("user")
        }
        rows = [(instance, presidents.get(instance.pk)) for instance in instances]
        return super().get_context_data(rows=rows, is_office=self.membership.is_office, **kwargs)


class InstanceFormView(GovernanceMixin, TemplateView):
    """Create (no ``instance_id``) or edit an instance: the office only."""

    read_roles = OFFICE_ONLY
    template_name = "governance/instance_form.html"

    def get_object(self) -> Instance:
        return self.get_instance() if "instance_id" in self.kwargs else Instance(ght=self.ght)

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(form=form, object=form.instance), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(InstanceForm(instance=self.get_object(), ght=self.ght))

    def post(self, request, *args, **kwargs):
        form = InstanceForm(request.POST, instance=self.get_object(), ght=self.ght)
        if form.is_valid():
            try:
                instance = services.save_instance(
                    acting_user=request.user, membership=self.membership, instance=form.instance
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("L'instance « %(name)s » est enregistrée.") % {"name": instance.name})
                return redirect("instance_detail", ght_slug=self.ght.slug, instance_id=instance.pk)
        return self.render_form(form, status=422)


class InstanceDetailView(GovernanceMixin, TemplateView):
    """An instance: who sits on it, its meetings and its decisions."""

    http_method_names = READ_ONLY_METHODS
    template_name = "governance/instance_detail.html"

    def get_context_data(self, **kwargs):
        instance = self.get_instance()
        seats = seats_in_order(InstanceMember.objects.filter(instance=instance).select_related("user"))
        meetings = list(
            scoped(Meeting, self.ght)
            .filter(instance=instance)
            .annotate(item_count=Count("agenda", distinct=True), decision_count=Count("decisions", distinct=True))
        )
        is_office = self.membership.is_office
        return super().get_context_data(
            instance=instance,
            seats=[
                (seat, SeatRoleForm(initial={"role": seat.role}, prefix=f"s{seat.pk}") if is_office else None)
                for seat in seats
            ],
            seat_form=SeatForm(ght=self.ght, instance=instance) if is_office else None,
            meetings=meetings,
            decisions=list(services.decisions_shown(self.ght).filter(instance=instance)),
            is_office=is_office,
            can_record=self.can_record(instance),
            **kwargs,
        )


class SeatAddView(GovernanceMixin, TemplateView):
    """Seat a member of the GHT on the instance (office)."""

    read_roles = OFFICE_ONLY
    template_name = "governance/seat_form.html"

    def render_form(self, instance, form, status=200):
        return self.render_to_response(self.get_context_data(instance=instance, form=form), status=status)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(instance, SeatForm(ght=self.ght, instance=instance))

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = SeatForm(request.POST, ght=self.ght, instance=instance)
        if form.is_valid():
            try:
                seat = services.add_instance_member(
                    acting_user=request.user,
                    membership=self.membership,
                    instance=instance,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s siège à « %(instance)s » (%(role)s).")
                    % {"name": seat.user, "instance": instance.short_name, "role": seat.get_role_display()},
                )
                return redirect("instance_detail", ght_slug=self.ght.slug, instance_id=instance.pk)
        return self.render_form(instance, form, status=422)


class SeatEditView(GovernanceMixin, TemplateView):
    """Change a seat's role, or remove it (``action=remove``): the office."""

    read_roles = OFFICE_ONLY
    template_name = "governance/seat_edit.html"

    def get_seat(self) -> InstanceMember:
        return get_for_ght_or_404(
            InstanceMember.objects.select_related("instance", "user"), self.ght, pk=self.kwargs["instance_member_id"]
        )

    def render_form(self, seat, form, status=200):
        return self.render_to_response(self.get_context_data(seat=seat, form=form), status=status)

    def get(self, request, *args, **kwargs):
        seat = self.get_seat()
        return self.render_form(seat, SeatRoleForm(initial={"role": seat.role}, prefix=f"s{seat.pk}"))

    def post(self, request, *args, **kwargs):
        seat = self.get_seat()
        back = redirect("instance_detail", ght_slug=self.ght.slug, instance_id=seat.instance_id)
        if request.POST.get("action") == "remove":
            services.remove_instance_member(acting_user=request.user, membership=self.membership, seat=seat)
            messages.success(
                request,
                _("%(name)s ne siège plus à « %(instance)s ».")
                % {"name": seat.user, "instance": seat.instance.short_name},
            )
            return back
        form = SeatRoleForm(request.POST, prefix=f"s{seat.pk}")
        if form.is_valid():
            try:
                services.change_instance_member_role(
                    acting_user=request.user, membership=self.membership, seat=seat, role=form.cleaned_data["role"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s est maintenant : %(role)s.") % {"name": seat.user, "role": seat.get_role_display()},
                )
                return back
        seat.refresh_from_db()
        return self.render_form(seat, form, status=422)


# --- Meetings -----------------------------------------------------------------------------------------


class MeetingFormView(GovernanceMixin, TemplateView):
    """Create a meeting of an instance (``instance_id``) or edit one (``meeting_id``), minutes included."""

    read_roles = RECORDER_ROLES
    write_roles = RECORDER_ROLES
    template_name = "governance/meeting_form.html"

    def get_object(self) -> Meeting:
        if "meeting_id" in self.kwargs:
            meeting = self.get_meeting()
        else:
            meeting = Meeting(instance=self.get_instance(), ght=self.ght)
        self.require_recorder(meeting.instance)
        return meeting

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(form=form, meeting=form.instance), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(MeetingForm(instance=self.get_object()))

    def post(self, request, *args, **kwargs):
        form = MeetingForm(request.POST, instance=self.get_object())
        if form.is_valid():
            try:
                meeting = services.save_meeting(
                    acting_user=request.user, membership=self.membership, meeting=form.instance
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("La séance du %(date)s est enregistrée.") % {"date": short_date(meeting.starts_at)}
                )
                return redirect("meeting_detail", ght_slug=self.ght.slug, meeting_id=meeting.pk)
        return self.render_form(form, status=422)


class MeetingDetailView(GovernanceMixin, TemplateView):
    """A meeting: its agenda, attendance, minutes and decisions; the recording forms for recorders."""

    http_method_names = READ_ONLY_METHODS
    template_name = "governance/meeting_detail.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        can_record = self.can_record(meeting.instance)
        agenda = list(meeting.agenda.select_related("action", "filiere"))
        attendances = list(meeting.attendances.select_related("user").order_by("user__full_name"))
        return super().get_context_data(
            meeting=meeting,
            instance=meeting.instance,
            agenda=agenda,
            attendances=attendances,
            decisions=list(services.decisions_shown(self.ght).filter(meeting=meeting)),
            can_record=can_record,
            agenda_form=AgendaItemForm(ght=self.ght) if can_record else None,
            **kwargs,
        )


class AgendaItemAddView(GovernanceMixin, TemplateView):
    read_roles = RECORDER_ROLES
    write_roles = RECORDER_ROLES
    http_method_names = POST_ONLY
    template_name = "governance/agenda_form.html"

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        self.require_recorder(meeting.instance)
        form = AgendaItemForm(request.POST, ght=self.ght)
        if form.is_valid():
            try:
                services.add_agenda_item(
                    acting_user=request.user, membership=self.membership, meeting=meeting, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Point ajouté à l'ordre du jour."))
                return redirect(reverse("meeting_detail", args=[self.ght.slug, meeting.pk]) + "#ordre-du-jour")
        return self.render_to_response(self.get_context_data(meeting=meeting, form=form), status=422)


class AgendaItemEditView(GovernanceMixin, TemplateView):
    """Move an agenda item up or down, or remove it (``action`` = up / down / remove)."""

    read_roles = RECORDER_ROLES
    write_roles = RECORDER_ROLES
    http_method_names = POST_ONLY

    def post(self, request, *args, **kwargs):
        item = get_for_ght_or_404(
            AgendaItem.objects.select_related("meeting__instance"), self.ght, pk=self.kwargs["agenda_item_id"]
        )
        self.require_recorder(item.meeting.instance)
        operation = request.POST.get("action")
        if operation in {"up", "down"}:
            services.move_agenda_item(
                acting_user=request.user, membership=self.membership, item=item, offset=-1 if operation == "up" else 1
            )
        elif operation == "remove":
            services.remove_agenda_item(acting_user=request.user, membership=self.membership, item=item)
            messages.success(request, _("Point retiré de l'ordre du jour."))
        else:
            messages.error(request, _("Opération inconnue sur l'ordre du jour."))
        return redirect(reverse("meeting_detail", args=[self.ght.slug, item.meeting_id]) + "#ordre-du-jour")


class AttendanceView(GovernanceMixin, TemplateView):
    """The attendance sheet: present / excused / absent for each member of the instance."""

    read_roles = RECORDER_ROLES
    write_roles = RECORDER_ROLES
    template_name = "governance/attendance_form.html"

    def setup_form(self, data=None):
        meeting = self.get_meeting()
        self.require_recorder(meeting.instance)
        recorded = dict(Attendance.objects.filter(meeting=meeting).values_list("user_id", "status"))
        return meeting, AttendanceForm(data, people=services.attendance_people(meeting), recorded=recorded)

    def get(self, request, *args, **kwargs):
        meeting, form = self.setup_form()
        return self.render_to_response(self.get_context_data(meeting=meeting, form=form))

    def post(self, request, *args, **kwargs):
        meeting, form = self.setup_form(request.POST)
        if form.is_valid():
            try:
                services.record_attendance(
                    acting_user=request.user, membership=self.membership, meeting=meeting, statuses=form.statuses()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("La feuille de présence est enregistrée."))
                return redirect("meeting_detail", ght_slug=self.ght.slug, meeting_id=meeting.pk)
        return self.render_to_response(self.get_context_data(meeting=meeting, form=form), status=422)


# --- Decisions ----------------------------------------------------------------------------------------


class DecisionListView(GovernanceMixin, TemplateView):
    """Every decision of the GHT, filterable by instance, kind and year."""

    http_method_names = READ_ONLY_METHODS
    template_name = "governance/decision_list.html"

    def get_context_data(self, **kwargs):
        form = DecisionFilterForm(self.request.GET or None, ght=self.ght)
        decisions = services.decisions_shown(self.ght)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["instance"]:
                decisions = decisions.filter(instance=data["instance"])
            if data["kind"]:
                decisions = decisions.filter(kind=data["kind"])
            if data["year"]:
                decisions = decisions.filter(decided_on__year=data["year"])
        return super().get_context_data(
            form=form,
            decisions=list(decisions),
            can_record=self.membership.is_office or bool(self.secretary_of),
            **kwargs,
        )


class DecisionCreateView(GovernanceMixin, TemplateView):
    """Record a decision of an instance one records for, moving the stage of its actions if asked.

    ``?instance=``, ``?meeting=`` and ``?action=`` prefill the form (links from the instance, meeting
    and action pages)."""

    read_roles = RECORDER_ROLES
    write_roles = RECORDER_ROLES
    template_name = "governance/decision_form.html"

    def recordable(self):
        instances = scoped(Instance, self.ght)
        if not self.membership.is_office:
            instances = instances.filter(pk__in=self.secretary_of)
        return instances

    def check_recorder(self) -> None:
        if not self.membership.is_office and not self.secretary_of:
            raise PermissionDenied

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get(self, request, *args, **kwargs):
        self.check_recorder()
        initial = {}
        for name in ("instance", "meeting"):
            if request.GET.get(name, "").isdigit():
                initial[name] = int(request.GET[name])
        if request.GET.get("action", "").isdigit():
            initial["actions"] = [int(request.GET["action"])]
        return self.render_form(DecisionForm(initial=initial, ght=self.ght, instances=self.recordable()))

    def post(self, request, *args, **kwargs):
        self.check_recorder()
        form = DecisionForm(request.POST, ght=self.ght, instances=self.recordable())
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.record_decision(
                    acting_user=request.user,
                    membership=self.membership,
                    instance=data["instance"],
                    decided_on=data["decided_on"],
                    kind=data["kind"],
                    text=data["text"],
                    meeting=data["meeting"],
                    actions=data["actions"],
                    stage=data["stage"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("La décision est enregistrée (%(kind)s, %(instance)s).")
                    % {"kind": decision.get_kind_display(), "instance": decision.instance.short_name},
                )
                if decision.meeting_id:
                    return redirect("meeting_detail", ght_slug=self.ght.slug, meeting_id=decision.meeting_id)
                return redirect("instance_detail", ght_slug=self.ght.slug, instance_id=decision.instance_id)
        return self.render_form(form, status=422)


# --- The filière's move -------------------------------------------------------------------------------


class ProposeActionView(GovernanceMixin, TemplateView):
    """Put an action forward to the instances (stage « proposée »): the office or a pilot of its filière."""

    read_roles = frozenset({Role.OFFICE, Role.PILOT})
    write_roles = frozenset({Role.OFFICE, Role.PILOT})
    http_method_names = POST_ONLY

    def post(self, request, *args, **kwargs):
        action = get_for_ght_or_404(
            Action.objects.select_related("objective").prefetch_related("filieres"),
            self.ght,
            pk=self.kwargs["action_id"],
        )
        if not can_edit_action(self.membership, action):
            raise PermissionDenied
        try:
            services.propose_action(acting_user=request.user, membership=self.membership, action=action)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'action %(code)s est proposée aux instances.") % {"code": action.code})
        return redirect("action_detail", ght_slug=self.ght.slug, action_id=action.pk)
