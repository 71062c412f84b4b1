"""URLs of this app, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

from django.urls import path

from reports.dashboard import views as dashboard
from reports.documents import views as report_views
from reports.timeline import views

urlpatterns: list = [
    path("tableau-de-bord/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("tableau-de-bord/export.xlsx", dashboard.DashboardExportView.as_view(), name="dashboard_export"),
    path("plans/<int:plan_id>/calendrier/", views.PlanTimelineView.as_view(), name="plan_timeline"),
    path("filieres/<int:filiere_id>/calendrier/", views.FiliereTimelineView.as_view(), name="filiere_timeline"),
    path("rapports/", report_views.ReportListView.as_view(), name="report_list"),
    path("rapports/<int:report_id>/", report_views.ReportDetailView.as_view(), name="report_detail"),
    path("rapports/<int:report_id>/etat/", report_views.ReportStatusView.as_view(), name="report_status"),
    path("rapports/<int:report_id>/telecharger/", report_views.ReportDownloadView.as_view(), name="report_download"),
    path("rapports/<int:report_id>/relancer/", report_views.ReportRetryView.as_view(), name="report_retry"),
]
