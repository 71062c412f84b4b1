"""URLs. Everything of a GHT lives under /<ght_slug>/ and is resolved by GHTMixin; the API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from ght_portal import views
from ght_portal.api import urls as api_urls
from ght_portal.forms import EmailAuthenticationForm, QueuedPasswordResetForm

admin.site.site_header = "GHT Portal — administration de la plateforme"
admin.site.site_title = "GHT Portal"

account_patterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/reinitialise/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("compte/", views.ProfileView.as_view(), name="profile"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("compte/mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("invitation/<str:token>/", views.AcceptInvitationView.as_view(), name="accept_invitation"),
    path("compte/jetons/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path("compte/jetons/<int:token_id>/revoquer/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
]

ght_patterns = [
    path("", views.GHTHomeView.as_view(), name="ght_home"),
    path("logo/", views.GHTLogoView.as_view(), name="ght_logo"),
    path("parametres/", views.GHTSettingsView.as_view(), name="ght_settings"),
    path("etablissements/", views.EstablishmentListView.as_view(), name="establishment_list"),
    path("etablissements/nouveau/", views.EstablishmentCreateView.as_view(), name="establishment_create"),
    path(
        "etablissements/<int:establishment_id>/modifier/",
        views.EstablishmentUpdateView.as_view(),
        name="establishment_update",
    ),
    path("membres/", views.MemberListView.as_view(), name="member_list"),
    path("membres/inviter/", views.MemberInviteView.as_view(), name="member_invite"),
    path("membres/<int:membership_id>/", views.MemberUpdateView.as_view(), name="member_update"),
    path(
        "invitations/<int:invitation_id>/renvoyer/",
        views.InvitationActionView.as_view(action="resend"),
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/annuler/",
        views.InvitationActionView.as_view(action="revoke"),
        name="invitation_revoke",
    ),
    path("", include("actions.pages.urls")),
    path("", include("actions.plan.urls")),
    path("", include("actions.spreadsheet.urls")),
    path("", include("filieres.urls")),
    path("", include("governance.urls")),
    path("", include("governance.checkpoints.urls")),
    path("", include("reports.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include((api_urls.urlpatterns, "api"))),
    path("api/", include(api_urls.documentation_patterns)),
    path("", views.HomeView.as_view(), name="home"),
    *account_patterns,
    path("<slug:ght_slug>/", include(ght_patterns)),
]
