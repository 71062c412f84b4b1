"""Pages of the plan import (upload → preview → confirm → result), the template and the plan export.

The uploaded file is kept between the preview and the confirmation in the default storage, under a
per-GHT folder and a random name (the client's file name is never used), and its token is remembered
in the session of the person who uploaded it; it is deleted after the import, and any upload older
than a day is purged at the next upload.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from actions.models import Plan
from actions.spreadsheet import importer
from actions.spreadsheet.workbook import template_bytes
from ght_portal.tenancy import OFFICE_ONLY, GHTMixin, get_for_ght_or_404, scoped

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "plan_imports"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_MAX_AGE = datetime.timedelta(days=1)


def upload_folder(ght) -> str:
    return f"imports/ght-{ght.pk}"


def upload_path(ght, token: str) -> str:
    return f"{upload_folder(ght)}/{token}.upload"


def purge_stale_uploads(ght, *, now: datetime.datetime | None = None) -> int:
    """Delete this GHT's uploads older than a day (abandoned previews); return how many."""
    folder = upload_folder(ght)
    if not default_storage.exists(folder):
        return 0
    limit = (now or timezone.now()) - UPLOAD_MAX_AGE
    removed = 0
    for name in default_storage.listdir(folder)[1]:
        path = f"{folder}/{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            removed += 1
    return removed


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class PlanImportForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Projet dans lequel importer"), queryset=Plan.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy(
            "Classeur Excel (.xlsx) du modèle, ou CSV UTF-8 de la feuille « Actions » ; 5 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, ght, **kwargs):
        super().__init__(*args, **kwargs)
        in_force_first = Case(When(status=Plan.Status.ACTIVE, then=0), default=1)
        self.fields["plan"].queryset = scoped(Plan, ght).order_by(in_force_first, "-start_year")
        self.fields["plan"].label_from_instance = lambda plan: f"{plan} — {plan.get_status_display()}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse la taille maximale de 5 Mo."))
        return upload


class PlanImportView(GHTMixin, View):
    """Upload a file: it is checked and simulated (dry run); the preview offers to confirm."""

    read_roles = OFFICE_ONLY
    write_roles = OFFICE_ONLY
    template_name = "actions/import_upload.html"

    def render_upload(self, form, report=None, status=200):
        return render(self.request, self.template_name, {"form": form, "report": report}, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_upload(PlanImportForm(ght=self.ght))

    def post(self, request, *args, **kwargs):
        form = PlanImportForm(request.POST, request.FILES, ght=self.ght)
        if not form.is_valid():
            return self.render_upload(form, status=422)
        plan = form.cleaned_data["plan"]
        upload = form.cleaned_data["file"]
        data = upload.read(importer.MAX_UPLOAD_BYTES + 1)
        report = importer.import_plan_file(
            ght=self.ght, plan=plan, data=data, filename=upload.name, acting_user=request.user, dry_run=True
        )
        if not report.ok:
            return self.render_upload(form, report, status=422)
        purge_stale_uploads(self.ght)
        token = secrets.token_hex(16)
        default_storage.save(upload_path(self.ght, token), ContentFile(data))
        pending = {  # forget abandoned previews whose file was purged
            key: entry
            for key, entry in request.session.get(SESSION_KEY, {}).items()
            if entry.get("ght") != self.ght.pk or default_storage.exists(upload_path(self.ght, key))
        }
        pending[token] = {"plan": plan.pk, "ght": self.ght.pk, "kind": report.file_kind}
        request.session[SESSION_KEY] = pending
        return render(request, "actions/import_preview.html", {"report": report, "token": token, "plan": plan})


class PlanImportConfirmView(GHTMixin, View):
    """Run the previewed import for real, from the stored file, all or nothing."""

    http_method_names = ["post"]
    read_roles = OFFICE_ONLY
    write_roles = OFFICE_ONLY

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token", "")
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.get(token) if TOKEN_RE.match(token) else None
        path = upload_path(self.ght, token)
        if entry is None or entry.get("ght") != self.ght.pk or not default_storage.exists(path):
            messages.error(request, _("Ce fichier n'est plus disponible : déposez-le à nouveau."))
            return redirect("plan_import", ght_slug=self.ght.slug)
        plan = get_for_ght_or_404(Plan, self.ght, pk=entry["plan"])
        with default_storage.open(path, "rb") as stored:
            data = stored.read(importer.MAX_UPLOAD_BYTES + 1)
        filename = "import.csv" if entry.get("kind") == "csv" else "import.xlsx"
        report = importer.import_plan_file(
            ght=self.ght, plan=plan, data=data, filename=filename, acting_user=request.user, dry_run=False
        )
        default_storage.delete(path)
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        if not report.ok:
            form = PlanImportForm(ght=self.ght, initial={"plan": plan})
            context = {"form": form, "report": report}
            return render(request, "actions/import_upload.html", context, status=422)
        return render(request, "actions/import_result.html", {"report": report, "plan": plan})


class PlanImportTemplateView(GHTMixin, View):
    """The documented, empty workbook (with this GHT's establishments, filières and members)."""

    read_roles = OFFICE_ONLY

    def get(self, request, *args, **kwargs):
        return xlsx_response(template_bytes(self.ght), f"modele-import-plan-{self.ght.slug}.xlsx")
