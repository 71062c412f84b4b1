"""URLs of the action pages, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

from django.urls import path

from actions.pages import dates, views
from actions.pages import detail as detail_views

urlpatterns = [
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("mes-actions/", views.MyActionsView.as_view(), name="my_actions"),
    path("actions/export.xlsx", views.ActionExportView.as_view(), name="action_export"),
    path("mes-actions/export.xlsx", views.MyActionsExportView.as_view(), name="my_actions_export"),
    path("actions/nouvelle/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:action_id>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:action_id>/modifier/", views.ActionUpdateView.as_view(), name="action_update"),
    path("actions/<int:action_id>/suivi/", views.FollowUpView.as_view(), name="action_followup"),
    path("actions/<int:action_id>/commentaire/", views.CommentView.as_view(), name="action_comment"),
    path("actions/<int:action_id>/dates/", dates.ActionDatesView.as_view(), name="action_dates"),
    path("actions/<int:action_id>/suivi-rapide/", views.QuickFollowUpView.as_view(), name="action_quick_update"),
    # Milestones, indicators and measurements (actions/pages/detail.py). The deletions come last: the
    # URL walk posts to every URL in order with the same sample rows.
    path(
        "actions/<int:action_id>/jalons/ajouter/", detail_views.MilestoneCreateView.as_view(), name="milestone_create"
    ),
    path(
        "actions/<int:action_id>/jalons/<int:milestone_id>/modifier/",
        detail_views.MilestoneUpdateView.as_view(),
        name="milestone_update",
    ),
    path(
        "actions/<int:action_id>/jalons/<int:milestone_id>/atteint/",
        detail_views.MilestoneDoneView.as_view(),
        name="milestone_done",
    ),
    path(
        "actions/<int:action_id>/indicateurs/ajouter/",
        detail_views.IndicatorCreateView.as_view(),
        name="indicator_create",
    ),
    path(
        "actions/<int:action_id>/indicateurs/<int:indicator_id>/modifier/",
        detail_views.IndicatorUpdateView.as_view(),
        name="indicator_update",
    ),
    path(
        "actions/<int:action_id>/indicateurs/<int:indicator_id>/mesures/ajouter/",
        detail_views.MeasurementCreateView.as_view(),
        name="measurement_create",
    ),
    path(
        "actions/<int:action_id>/jalons/<int:milestone_id>/supprimer/",
        detail_views.MilestoneDeleteView.as_view(),
        name="milestone_delete",
    ),
    path(
        "actions/<int:action_id>/indicateurs/<int:indicator_id>/supprimer/",
        detail_views.IndicatorDeleteView.as_view(),
        name="indicator_delete",
    ),
]
