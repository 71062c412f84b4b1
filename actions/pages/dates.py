"""The office corrects when an action was achieved or stopped, with a reason (``services.correct_status_dates``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from actions import services
from actions.pages.access import ActionPermissionMixin
from actions.pages.forms import StatusDatesForm
from ght_portal.tenancy import OFFICE_ONLY
from ght_portal.views import add_service_errors

DATE_FIELDS = ("done_on", "stopped_on")


class ActionDatesView(ActionPermissionMixin, View):
    read_roles = OFFICE_ONLY
    write_roles = OFFICE_ONLY
    template_name = "actions/action_dates.html"

    def render_form(self, form, action, status=200):
        return render(self.request, self.template_name, {"form": form, "action": action}, status=status)

    def get(self, request, *args, **kwargs):
        action = self.get_action()
        return self.render_form(StatusDatesForm(action=action), action)

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        form = StatusDatesForm(request.POST, action=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.correct_status_dates(
                    acting_user=request.user,
                    membership=self.membership,
                    action=action,
                    dates={name: data[name] for name in DATE_FIELDS if name in form.fields},
                    reason=data["reason"],
                    expected_version=data["version"],
                )
            except services.StaleActionError as error:
                form.add_error(None, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Les dates de l'action sont enregistrées."))
                return redirect("action_detail", ght_slug=self.ght.slug, action_id=action.pk)
        return self.render_form(form, action, status=422)
