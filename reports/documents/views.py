"""Pages of the report jobs: ask for a PDF, watch it being built (htmx polling), download it, retry.

Only the office and the directors / instance members (``reports.permissions.REPORT_ROLES``) reach them; every
report is fetched inside its GHT, and its file is served only through ``ReportDownloadView``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from ght_portal.tenancy import GHTMixin, get_for_ght_or_404, scoped
from reports.documents import services
from reports.documents.forms import ReportRequestForm
from reports.models import Report
from reports.permissions import REPORT_ROLES

HISTORY_SIZE = 50


class ReportMixin(GHTMixin):
    read_roles = REPORT_ROLES
    write_roles = REPORT_ROLES

    def get_report(self) -> Report:
        queryset = scoped(Report, self.ght).select_related("plan", "filiere", "campaign", "requested_by")
        return get_for_ght_or_404(queryset, self.ght, pk=self.kwargs["report_id"])


class ReportListView(ReportMixin, TemplateView):
    """The request form and the history of the GHT's reports (the latest first)."""

    template_name = "reports/report_list.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or ReportRequestForm(ght=self.ght, initial=self.request.GET.dict())
        reports = scoped(Report, self.ght).select_related("plan", "filiere", "campaign", "requested_by")
        return super().get_context_data(form=form, reports=reports[:HISTORY_SIZE], **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            report, created = services.request_report(
                membership=self.membership, data=request.POST, acting_user=request.user
            )
        except ValidationError:
            form = ReportRequestForm(request.POST, ght=self.ght)  # the service's form: the same errors, by field
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if not created:
            messages.info(request, already_message(report))
        return redirect("report_detail", ght_slug=self.ght.slug, report_id=report.pk)


def already_message(report: Report) -> str:
    if report.is_pending:
        return _("Ce rapport est déjà demandé : il est en cours de préparation, inutile de le demander deux fois.")
    return _("Ce rapport est déjà prêt avec les mêmes chiffres : le voici.")


class ReportDetailView(ReportMixin, TemplateView):
    """One report; while it is queued or running, its status block polls ``report_status``."""

    template_name = "reports/report_detail.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.get_report(), **kwargs)


class ReportStatusView(ReportDetailView):
    """The status block alone, for htmx; once finished it stops asking (no ``hx-trigger`` left)."""

    template_name = "reports/_report_status.html"


class ReportDownloadView(ReportMixin, View):
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        if not report.is_done:
            messages.warning(request, _("Ce rapport n'est pas prêt : il n'y a encore rien à télécharger."))
            return redirect("report_detail", ght_slug=self.ght.slug, report_id=report.pk)
        try:
            handle = report.file.open("rb")
        except OSError as error:  # the file is gone from the storage
            raise Http404(_("Le fichier de ce rapport est introuvable ; relancez sa génération.")) from error
        return FileResponse(handle, as_attachment=True, filename=report.download_name(), content_type="application/pdf")


class ReportRetryView(ReportMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        try:
            services.retry_report(membership=self.membership, report=report, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("La génération est relancée."))
        return redirect("report_detail", ght_slug=self.ght.slug, report_id=report.pk)
