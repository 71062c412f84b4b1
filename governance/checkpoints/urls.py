"""URLs of the checkpoints (points d'étape) and their comparison, mounted under /<ght_slug>/."""

from django.urls import path

from governance.checkpoints import views

urlpatterns = [
    path("points-d-etape/", views.CampaignListView.as_view(), name="checkpoint_list"),
    path("points-d-etape/nouveau/", views.CampaignCreateView.as_view(), name="checkpoint_create"),
    path("points-d-etape/mes-mises-a-jour/", views.MyUpdatesView.as_view(), name="checkpoint_my_updates"),
    path("points-d-etape/<int:campaign_id>/", views.CampaignDetailView.as_view(), name="checkpoint_detail"),
    path(
        "points-d-etape/<int:campaign_id>/mes-mises-a-jour/",
        views.MyUpdatesView.as_view(),
        name="checkpoint_my_campaign_updates",
    ),
    path("points-d-etape/<int:campaign_id>/clore/", views.CampaignCloseView.as_view(), name="checkpoint_close"),
    path("points-d-etape/<int:campaign_id>/comparer/", views.ComparisonView.as_view(), name="checkpoint_compare"),
    path("points-d-etape/mises-a-jour/<int:update_id>/", views.UpdateFillView.as_view(), name="checkpoint_update"),
    path(
        "points-d-etape/mises-a-jour/<int:update_id>/renvoyer/",
        views.UpdateReturnView.as_view(),
        name="checkpoint_return",
    ),
]
