"""Views of the core: choosing a GHT, its home page, establishments, people and invitations."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView, TemplateView, UpdateView

from ght_portal import services
from ght_portal.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    EstablishmentForm,
    GHTSettingsForm,
    InvitationForm,
    MembershipRoleForm,
    ProfileForm,
)
from ght_portal.models import ApiToken, Establishment, Invitation, Membership
from ght_portal.tenancy import OFFICE_ONLY, GHTMixin, get_for_ght_or_404, scoped, user_memberships

User = get_user_model()


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class HomeView(LoginRequiredMixin, TemplateView):
    """One GHT: straight into it. Several: choose. None: say so (and point the operator to admin)."""

    template_name = "ght_portal/choose_ght.html"

    def get(self, request, *args, **kwargs):
        memberships = list(user_memberships(request.user))
        if len(memberships) == 1:
            return redirect(memberships[0].ght)
        return self.render_to_response({"memberships": memberships})


class GHTHomeView(GHTMixin, TemplateView):
    template_name = "ght_portal/ght_home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            establishments=scoped(Establishment, self.ght).filter(is_active=True).in_ght_order(),
            member_count=scoped(Membership, self.ght).active().count(),
            **kwargs,
        )


class GHTLogoView(GHTMixin, View):
    """The logo is served only to members, like every other file of a GHT."""

    def get(self, request, *args, **kwargs):
        if not self.ght.logo:
            raise Http404
        content_type = mimetypes.guess_type(self.ght.logo.name)[0] or "application/octet-stream"
        response = FileResponse(self.ght.logo.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class GHTSettingsView(GHTMixin, UpdateView):
    read_roles = OFFICE_ONLY
    form_class = GHTSettingsForm
    template_name = "ght_portal/ght_settings.html"

    def get_object(self, queryset=None):
        return self.ght

    def form_valid(self, form):
        form.instance._history_user = self.request.user  # the GHT's history names who changed it
        messages.success(self.request, _("Les paramètres du GHT sont enregistrés."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("ght_settings", kwargs={"ght_slug": self.ght.slug})


class EstablishmentListView(GHTMixin, ListView):
    template_name = "ght_portal/establishment_list.html"
    context_object_name = "establishments"

    def get_queryset(self):
        return scoped(Establishment, self.ght).in_ght_order()


class EstablishmentFormMixin(GHTMixin):
    read_roles = OFFICE_ONLY
    form_class = EstablishmentForm
    template_name = "ght_portal/establishment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "ght": self.ght}

    def form_valid(self, form):
        try:
            services.save_establishment(acting_user=self.request.user, ght=self.ght, establishment=form.instance)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("L'établissement « %(name)s » est enregistré.") % {"name": form.instance.name})
        return redirect("establishment_list", ght_slug=self.ght.slug)


class EstablishmentCreateView(EstablishmentFormMixin, FormView):
    pass


class EstablishmentUpdateView(EstablishmentFormMixin, UpdateView):
    def get_object(self, queryset=None):
        return get_for_ght_or_404(Establishment, self.ght, pk=self.kwargs["establishment_id"])


class MemberListView(GHTMixin, TemplateView):
    read_roles = OFFICE_ONLY
    template_name = "ght_portal/member_list.html"

    def get_context_data(self, **kwargs):
        memberships = scoped(Membership, self.ght).select_related("user").order_by("-is_active", "user__full_name")
        invitations = scoped(Invitation, self.ght).open().select_related("invited_by")
        return super().get_context_data(
            memberships=[(m, MembershipRoleForm(instance=m, prefix=f"m{m.pk}")) for m in memberships],
            invitations=invitations,
            **kwargs,
        )


class MemberInviteView(GHTMixin, FormView):
    read_roles = OFFICE_ONLY
    form_class = InvitationForm
    template_name = "ght_portal/member_invite.html"

    def form_valid(self, form):
        try:
            invitation = services.invite_member(acting_user=self.request.user, ght=self.ght, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email})
        return redirect("member_list", ght_slug=self.ght.slug)


class MemberUpdateView(GHTMixin, View):
    """Change a member's role (inline with htmx, or as a plain form) or (de)activate the membership."""

    read_roles = OFFICE_ONLY
    template_name = "ght_portal/member_update.html"

    def get_membership(self) -> Membership:
        return get_for_ght_or_404(Membership.objects.select_related("user"), self.ght, pk=self.kwargs["membership_id"])

    def render_page(self, membership, form, status=200):
        if self.request.htmx:
            return render(
                self.request,
                "ght_portal/_member_row.html",
                {"membership": membership, "form": form, "current_ght": self.ght},
                status=status,
            )
        return render(self.request, self.template_name, {"membership": membership, "form": form}, status=status)

    def get(self, request, *args, **kwargs):
        membership = self.get_membership()
        return self.render_page(membership, MembershipRoleForm(instance=membership, prefix=f"m{membership.pk}"))

    def post(self, request, *args, **kwargs):
        membership = self.get_membership()
        action = request.POST.get("action", "role")
        form = MembershipRoleForm(request.POST, instance=membership, prefix=f"m{membership.pk}")
        try:
            if action in {"deactivate", "reactivate"}:
                membership = services.set_membership_active(
                    acting_user=request.user, membership=membership, active=action == "reactivate"
                )
                reactivated = action == "reactivate"
                message = _("Accès de %(name)s réactivé.") if reactivated else _("Accès de %(name)s désactivé.")
            elif form.is_valid():
                membership = services.change_member_role(
                    acting_user=request.user, membership=membership, role=form.cleaned_data["role"]
                )
                message = _("%(name)s est maintenant : %(role)s.")
            else:
                return self.render_page(membership, form, status=422)
        except ValidationError as error:
            membership.refresh_from_db()
            prefix = f"m{membership.pk}"
            form = MembershipRoleForm({f"{prefix}-role": membership.role}, instance=membership, prefix=prefix)
            form.is_valid()
            add_service_errors(form, error)
            return self.render_page(membership, form, status=422)
        text = message % {"name": membership.user.full_name, "role": membership.get_role_display()}
        if request.htmx:
            form = MembershipRoleForm(instance=membership, prefix=f"m{membership.pk}")
            response = render(
                request,
                "ght_portal/_member_row.html",
                {"membership": membership, "form": form, "saved": text, "current_ght": self.ght},
            )
            return response
        messages.success(request, text)
        return redirect("member_list", ght_slug=self.ght.slug)


class InvitationActionView(GHTMixin, View):
    """POST-only: resend (new link, new validity) or revoke an open invitation."""

    http_method_names = ["post"]
    read_roles = OFFICE_ONLY
    action = "revoke"  # or "resend", set in the URL conf

    def post(self, request, *args, **kwargs):
        invitation = get_for_ght_or_404(Invitation, self.ght, pk=self.kwargs["invitation_id"])
        try:
            if self.action == "resend":
                services.resend_invitation(acting_user=request.user, invitation=invitation)
                messages.success(request, _("Nouveau lien envoyé à %(email)s.") % {"email": invitation.email})
            else:
                services.revoke_invitation(acting_user=request.user, invitation=invitation)
                messages.success(request, _("Invitation de %(email)s annulée.") % {"email": invitation.email})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("member_list", ght_slug=self.ght.slug)


@method_decorator(never_cache, name="dispatch")
class AcceptInvitationView(View):
    """The invitation link: a new person sets a password; a known person confirms while logged in."""

    template_name = "ght_portal/accept_invitation.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = services.find_invitation(kwargs["token"])
        except services.InvitationUnusable as error:
            return render(request, self.template_name, {"error": error.message}, status=410)
        self.existing_user = User.objects.filter(email__iexact=self.invitation.email).first()
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra):
        return {"invitation": self.invitation, "existing_user": self.existing_user, **extra}

    def get(self, request, *args, **kwargs):
        form = None
        if self.existing_user is None:
            form = AcceptInvitationForm(initial={"full_name": self.invitation.full_name}, email=self.invitation.email)
        return render(request, self.template_name, self.context(form=form))

    def post(self, request, *args, **kwargs):
        token = kwargs["token"]
        if self.existing_user is not None:
            if not request.user.is_authenticated:
                return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
            try:
                membership = services.accept_invitation(token=token, user=request.user)
            except services.InvitationUnusable as error:
                return render(request, self.template_name, self.context(error=error.message), status=400)
        else:
            form = AcceptInvitationForm(request.POST, email=self.invitation.email)
            if not form.is_valid():
                return render(request, self.template_name, self.context(form=form), status=422)
            try:
                membership = services.accept_invitation(
                    token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
                )
            except services.InvitationUnusable as error:
                return render(request, self.template_name, self.context(error=error.message), status=400)
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Bienvenue dans %(ght)s.") % {"ght": membership.ght.name})
        return redirect(membership.ght)


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "ght_portal/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Votre profil est enregistré."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("profile")


@method_decorator(never_cache, name="dispatch")
class ApiTokenListView(LoginRequiredMixin, View):
    """« Jetons d'API »: one's tokens, the form to create one, and the new key, shown once after creation."""

    template_name = "ght_portal/api_tokens.html"

    def render_page(self, form, new_key: str = "", status: int = 200):
        tokens = ApiToken.objects.filter(user=self.request.user)
        context = {"tokens": tokens, "form": form, "new_key": new_key}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(ApiTokenForm())

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = services.create_api_token(
                    acting_user=request.user, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Le jeton « %(name)s » est créé.") % {"name": token.name})
                # Rendered, not redirected: the key exists only in this response (never cached, never stored).
                return self.render_page(ApiTokenForm(), new_key=key)
        return self.render_page(form, status=422)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = get_object_or_404(ApiToken, pk=kwargs["token_id"], user=request.user)
        try:
            services.revoke_api_token(acting_user=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
        return redirect("api_tokens")
