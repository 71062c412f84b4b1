"""Forms of the core; choice fields only ever offer the current GHT's rows."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.postgres.forms import SimpleArrayField
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from ght_portal.models import GHT, ApiToken, Establishment, Invitation, Membership
from ght_portal.services import normalize_finess
from ght_portal.tasks import send_email
from ght_portal.validators import validate_departement

User = get_user_model()


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail handed to a Celery worker instead of sent in the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = " ".join(render_to_string(subject_template_name, context).split())
        body = render_to_string(email_template_name, context)
        send_email.delay(subject, body, [to_email])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "phone", "digest_opt_out"]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "full_name", "role"]
        help_texts = {
            "email": _("La personne recevra un lien personnel, valable quelques jours, pour choisir son mot de passe.")
        }


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class AcceptInvitationForm(forms.Form):
    """For a person who has no account yet: name and a password that passes the validators."""

    full_name = forms.CharField(label=_("Nom complet"), max_length=150)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
            else:
                candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
                try:
                    password_validation.validate_password(password1, candidate)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class EstablishmentForm(forms.ModelForm):
    """The GHT is not a field: it is set from the URL. The rules inside the GHT (one name, one geographic
    FINESS, one support establishment) are ``services.save_establishment``'s, which the view calls."""

    class Meta:
        model = Establishment
        fields = ["name", "kind", "town", "role", "finess_juridique", "finess_geographique", "is_active"]

    def __init__(self, *args, ght: GHT, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ght = ght

    def clean_finess_juridique(self):
        return normalize_finess(self.cleaned_data["finess_juridique"])

    def clean_finess_geographique(self):
        return normalize_finess(self.cleaned_data["finess_geographique"])


class GHTSettingsForm(forms.ModelForm):
    departements = SimpleArrayField(
        forms.CharField(max_length=3, validators=[validate_departement]),
        label=_("Départements"),
        help_text=_("Codes séparés par des virgules, par exemple « 47 » ou « 76, 27 »."),
    )

    class Meta:
        model = GHT
        fields = ["name", "short_name", "departements", "region", "logo"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > settings.LOGO_MAX_BYTES:
            raise forms.ValidationError(_("Le logo ne doit pas dépasser 1 Mo."))
        if logo and hasattr(logo, "content_type") and logo.content_type not in {"image/png", "image/jpeg"}:
            raise forms.ValidationError(_("Le logo doit être une image PNG ou JPEG."))
        return logo


class ApiTokenForm(forms.ModelForm):
    """Name and rights of a new personal API token; its key is made by the service."""

    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]
