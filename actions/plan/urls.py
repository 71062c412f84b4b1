"""URLs of the plan structure (plans, axes, objectives), mounted under /<ght_slug>/."""

from django.urls import path

from actions.plan import views

urlpatterns: list = [
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/nouveau/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:plan_id>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:plan_id>/modifier/", views.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:plan_id>/axes/nouveau/", views.AxisCreateView.as_view(), name="axis_create"),
    path("plans/<int:plan_id>/objectifs/nouveau/", views.ObjectiveCreateView.as_view(), name="objective_create"),
    path("axes/<int:axis_id>/modifier/", views.AxisUpdateView.as_view(), name="axis_update"),
    path("objectifs/<int:objective_id>/modifier/", views.ObjectiveUpdateView.as_view(), name="objective_update"),
]
