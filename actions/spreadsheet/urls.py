"""URLs of the plan import (upload, preview, template) mounted under /<ght_slug>/."""

from django.urls import path

from actions.spreadsheet import views as import_views

urlpatterns = [
    path("import/", import_views.PlanImportView.as_view(), name="plan_import"),
    path("import/confirmer/", import_views.PlanImportConfirmView.as_view(), name="plan_import_confirm"),
    path("import/modele.xlsx", import_views.PlanImportTemplateView.as_view(), name="plan_import_template"),
]
