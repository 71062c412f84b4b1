"""The API of the PDF reports: ask for one, follow its state, download its file, retry a failed one.

The office and the directors (``reports.documents.REPORT_ROLES``), as on the web pages. A request goes
through ``reports.documents.services.request_report`` (its form validates it, in French): the same request twice
answers the job already queued, running or still true (200) instead of a new one (201).
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, serializers, status
from rest_framework.decorators import action as operation

from ght_portal.api.base import GHTScopedViewSet, ReadMixin
from ght_portal.api.errors import Conflict
from ght_portal.api.serializers import GHTModelSerializer
from reports.documents import services
from reports.models import Report
from reports.permissions import REPORT_ROLES

NOT_READY = _("Ce rapport n'est pas prêt : il n'y a encore rien à télécharger (voyez son état).")
FILE_MISSING = _("Le fichier de ce rapport est introuvable ; relancez sa génération.")


class ReportSerializer(GHTModelSerializer):
    download = serializers.SerializerMethodField(help_text="L'adresse du fichier PDF, une fois prêt.")

    class Meta:
        model = Report
        fields = [
            *("id", "kind", "plan", "year", "filiere", "campaign", "status", "progress", "step", "attempts"),
            *("requested_by", "requested_at", "started_at", "finished_at", "data_as_of", "file_size", "page_count"),
            *("error", "download", "etag"),
        ]
        read_only_fields = fields

    def get_download(self, report) -> str | None:
        if not report.is_done:
            return None
        return reverse(
            "api:report-download", kwargs={"ght_slug": self.context["view"].ght.slug, "report_id": report.pk}
        )


class ReportRequestSerializer(serializers.Serializer):
    """The parameters of a report; ``reports.documents.forms.ReportRequestForm`` checks them (one rule, everywhere)."""

    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    plan = serializers.IntegerField(help_text="Le projet (identifiant).")
    year = serializers.IntegerField(help_text="L'année du bilan, dans la période du projet.")
    filiere = serializers.IntegerField(required=False, allow_null=True, help_text="Pour une feuille de route.")
    campaign = serializers.IntegerField(
        required=False, allow_null=True, help_text="Les chiffres d'un point d'étape clos ; sans : ceux du jour."
    )


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the file itself is sent as is, and an error
    answer is still JSON (ght_portal/api/errors.py sets its content type)."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data, renderer_context=renderer_context)


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Report.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Report.Status.choices)


class ReportViewSet(ReadMixin, GHTScopedViewSet):
    doc = (
        "Les rapports PDF (bilans annuels du PMSP pour le comité stratégique ou la CMG, feuille de route "
        "d'une filière) : les demander, suivre leur préparation (`status`, `progress`), les télécharger. "
        "La cellule opérationnelle et les directions."
    )
    queryset = Report.objects.all()
    serializer_class = ReportSerializer
    lookup_url_kwarg = "report_id"
    read_roles = REPORT_ROLES
    write_roles = REPORT_ROLES
    object_writes = frozenset({"retry"})
    filterset_class = ReportFilter
    ordering_fields = ["requested_at"]
    ordering = ["-requested_at", "-pk"]

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            201: OpenApiResponse(ReportSerializer, description="Un nouveau rapport est demandé."),
            200: OpenApiResponse(ReportSerializer, description="Le même rapport, déjà demandé ou encore à jour."),
        },
        description=(
            "Demander un rapport. Il se prépare en arrière-plan : suivez son `status` (requested, running, "
            "done, failed) et son `progress`, puis téléchargez-le. La même demande deux fois rend le rapport "
            "déjà en préparation, ou déjà prêt si ses chiffres n'ont pas bougé."
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.request_report(
            membership=self.membership, data=serializer.validated_data, acting_user=request.user
        )
        return self.object_response(report, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: OpenApiResponse(description=str(NOT_READY))},
        description="Le fichier PDF du rapport, une fois prêt (409 tant qu'il ne l'est pas).",
    )
    @operation(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def download(self, request, *args, **kwargs):
        report = self.get_object()
        if not report.is_done:
            raise Conflict(NOT_READY)
        try:
            handle = report.file.open("rb")
        except OSError as error:  # FileNotFoundError included
            raise exceptions.NotFound(FILE_MISSING) from error
        response = FileResponse(
            handle, as_attachment=True, filename=report.download_name(), content_type="application/pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        request=None,
        responses=ReportSerializer,
        description="Relancer la préparation d'un rapport en échec.",
    )
    @operation(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        with self.locked() as report:
            retried = services.retry_report(membership=self.membership, report=report, acting_user=request.user)
        return self.object_response(retried)


ROUTES = [("reports", ReportViewSet, "report")]
