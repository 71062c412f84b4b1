"""URLs of this app, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

from django.urls import path

from reports import views

urlpatterns: list = [
    path("plans/<int:plan_id>/calendrier/", views.PlanTimelineView.as_view(), name="plan_timeline"),
    path("filieres/<int:filiere_id>/calendrier/", views.FiliereTimelineView.as_view(), name="filiere_timeline"),
]
