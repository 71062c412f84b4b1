"""URLs of the action pages, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

from django.urls import path

from actions import views

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
    path("actions/<int:action_id>/suivi-rapide/", views.QuickFollowUpView.as_view(), name="action_quick_update"),
]
