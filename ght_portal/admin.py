"""Platform administration (the operator): create GHTs and invite their first project-office user."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ght_portal import services
from ght_portal.actors import delete_as
from ght_portal.models import GHT, Establishment, Invitation, Membership, Role, User


class HistoryActorMixin:
    """What the admin writes names the operator in the history: the inline rows it saves, and every row a
    deletion takes with it (a user's memberships, a GHT's plans…), not only the row edited."""

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_as(obj, request.user)
        for instance in instances:
            instance._history_user = request.user
            instance.save()
        formset.save_m2m()

    def delete_model(self, request, obj):
        delete_as(obj, request.user)

    def delete_queryset(self, request, queryset):
        delete_as(queryset, request.user)


class HistoryActorAdmin(HistoryActorMixin, SimpleHistoryAdmin):
    """The admin of a history-tracked model: its history page, and ``SimpleHistoryAdmin.save_model`` names
    ``request.user`` for the row itself."""


@admin.register(User)
class UserAdmin(HistoryActorMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "job_title", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["full_name", "job_title", "phone"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


class EstablishmentInline(admin.TabularInline):
    model = Establishment
    extra = 0
    fields = ["name", "kind", "town", "role", "finess_juridique", "finess_geographique", "is_active"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_active"]


class GHTAdminForm(forms.ModelForm):
    first_admin_email = forms.EmailField(
        label=_("E-mail du premier administrateur (cellule opérationnelle)"),
        required=False,
        help_text=_("À la création : cette personne reçoit une invitation avec le rôle « cellule opérationnelle »."),
    )
    first_admin_name = forms.CharField(label=_("Nom complet du premier administrateur"), required=False, max_length=150)

    class Meta:
        model = GHT
        fields = ["name", "short_name", "slug", "departements", "region", "logo"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not (cleaned.get("first_admin_email") and cleaned.get("first_admin_name")):
            raise ValidationError(_("Indiquez l'e-mail et le nom du premier administrateur du GHT."))
        return cleaned


@admin.register(GHT)
class GHTAdmin(HistoryActorAdmin):
    form = GHTAdminForm
    list_display = ["name", "short_name", "slug", "region", "created_at"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [EstablishmentInline, MembershipInline]

    def get_fieldsets(self, request, obj=None):
        fields = ["name", "short_name", "slug", "departements", "region", "logo"]
        if obj is None:
            first_admin = {"fields": ["first_admin_email", "first_admin_name"]}
            return [(None, {"fields": fields}), (_("Premier administrateur"), first_admin)]
        return [(None, {"fields": fields})]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.invite_member(
                acting_user=request.user,
                ght=obj,
                email=form.cleaned_data["first_admin_email"],
                full_name=form.cleaned_data["first_admin_name"],
                role=Role.OFFICE,
            )
            messages.info(request, _("Invitation envoyée au premier administrateur du GHT."))


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "ght", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["ght", "role"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["token_hash", "created_at", "accepted_at", "revoked_at", "invited_by"]
