"""Mutations of the tenancy core: establishments, invitations, roles, memberships.

Each is atomic, takes the acting user by keyword, and raises ``ValidationError`` with a French
message when a business rule refuses the change, leaving nothing half-written.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ght_portal.mail import send_templated_mail
from ght_portal.models import GHT, ApiToken, Establishment, Invitation, Membership, Role, hash_token

User = get_user_model()


def normalize_finess(value: str) -> str:
    """A FINESS number as stored: without the spaces people type in it."""
    return value.replace(" ", "")


@transaction.atomic
def save_establishment(*, acting_user, ght: GHT, establishment: Establishment) -> Establishment:
    """Create or edit an establishment of ``ght`` (the web form and the API): a name and a geographic
    FINESS used once in the GHT, one support establishment at most. The GHT's row is locked, so that two
    writers cannot both pass these checks."""
    if establishment._state.adding:
        establishment.ght = ght
    elif establishment.ght_id != ght.pk:
        raise PermissionDenied
    GHT.objects.select_for_update().filter(pk=ght.pk).first()
    establishment.name = establishment.name.strip()
    establishment.finess_juridique = normalize_finess(establishment.finess_juridique)
    establishment.finess_geographique = normalize_finess(establishment.finess_geographique)
    others = Establishment.objects.filter(ght=ght).exclude(pk=establishment.pk)
    errors = {}
    if others.filter(name__iexact=establishment.name).exists():
        errors["name"] = _("Un établissement porte déjà ce nom dans ce GHT.")
    if establishment.role == Establishment.Role.SUPPORT:
        current = others.filter(role=Establishment.Role.SUPPORT).first()
        if current:
            errors["role"] = _("%(name)s est déjà l'établissement support ; changez d'abord son rôle.") % {
                "name": current.name
            }
    finess = establishment.finess_geographique
    if finess and others.filter(finess_geographique=finess).exists():
        errors["finess_geographique"] = _("Ce numéro FINESS géographique est déjà utilisé dans ce GHT.")
    if errors:
        raise ValidationError(errors)
    establishment.full_clean(validate_unique=False, validate_constraints=False)  # checked above, in French
    establishment._history_user = acting_user
    establishment.save()
    return establishment


def _send_invitation(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("accept_invitation", kwargs={"token": token})
    context = {"invitation": invitation, "ght": invitation.ght, "link": link}
    send_templated_mail("invitation", context, invitation.email)


@transaction.atomic
def invite_member(*, acting_user, ght: GHT, email: str, full_name: str, role: str) -> Invitation:
    """Invite a person by e-mail; an expired open invitation for the same address is replaced."""
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.active().filter(ght=ght, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Cette personne est déjà membre de ce GHT.")})
    for open_invitation in Invitation.objects.open().filter(ght=ght, email__iexact=email).select_for_update():
        if not open_invitation.is_expired:
            raise ValidationError(
                {"email": _("Une invitation est déjà en attente pour cette adresse : renvoyez-la plutôt.")}
            )
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    invitation = Invitation(ght=ght, email=email, full_name=full_name.strip(), role=role, invited_by=acting_user)
    token = invitation.new_token()
    invitation.save()
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def resend_invitation(*, acting_user, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working) with a fresh validity period."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, ght=invitation.ght)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("Cette invitation n'est plus ouverte."))
    token = invitation.new_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def revoke_invitation(*, acting_user, invitation: Invitation) -> None:
    updated = Invitation.objects.open().filter(pk=invitation.pk, ght=invitation.ght).update(revoked_at=timezone.now())
    if not updated:
        raise ValidationError(_("Cette invitation n'est plus ouverte."))


class InvitationUnusable(Exception):
    """The link is unknown, used, revoked or expired; ``message`` says which, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def find_invitation(token: str) -> Invitation:
    """The open invitation for this link, or ``InvitationUnusable`` explaining why not."""
    invitation = Invitation.objects.select_related("ght").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationUnusable(_("Ce lien d'invitation n'est pas valide. Vérifiez qu'il est complet."))
    if invitation.accepted_at:
        raise InvitationUnusable(_("Ce lien d'invitation a déjà été utilisé. Connectez-vous avec votre compte."))
    if invitation.revoked_at:
        raise InvitationUnusable(_("Cette invitation a été annulée ou remplacée par une plus récente."))
    if invitation.is_expired:
        raise InvitationUnusable(
            _("Ce lien d'invitation a expiré. Demandez à la cellule opérationnelle de votre GHT de vous la renvoyer.")
        )
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, user=None, full_name: str = "", password: str = "") -> Membership:
    """Use the link once: create the account (or take the signed-in one) and its membership.

    The invitation row is locked, so two clicks on the same link cannot both succeed.
    """
    invitation = find_invitation(token)
    invitation = Invitation.objects.select_for_update().select_related("ght").get(pk=invitation.pk)
    find_invitation(token)  # re-check under the lock
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationUnusable(_("Un compte existe déjà pour cette adresse : connectez-vous pour accepter."))
        user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
    elif user.email.lower() != invitation.email.lower():
        raise InvitationUnusable(
            _("Cette invitation est destinée à %(email)s. Déconnectez-vous puis ouvrez à nouveau le lien.")
            % {"email": invitation.email}
        )
    # The person accepting is the one acting: their membership's history names them.
    existing = Membership.objects.select_for_update().filter(ght=invitation.ght, user=user).first()
    membership = existing or Membership(ght=invitation.ght, user=user)
    membership.role, membership.is_active = invitation.role, True
    membership._history_user = user
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _office_members_left(membership: Membership) -> int:
    return Membership.objects.active().filter(ght=membership.ght, role=Role.OFFICE).exclude(pk=membership.pk).count()


@transaction.atomic
def change_member_role(*, acting_user, membership: Membership, role: str) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk, ght=membership.ght)
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu.")})
    if membership.role == Role.OFFICE and role != Role.OFFICE and _office_members_left(membership) == 0:
        raise ValidationError(
            {"role": _("Le GHT doit garder au moins une personne active dans la cellule opérationnelle.")}
        )
    membership.role = role
    membership._history_user = acting_user
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def set_membership_active(*, acting_user, membership: Membership, active: bool) -> Membership:
    """Deactivate or reactivate one GHT membership; the person keeps their other GHTs."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk, ght=membership.ght)
    if not active:
        if membership.user_id == acting_user.pk:
            raise ValidationError(_("Vous ne pouvez pas désactiver votre propre accès."))
        if membership.role == Role.OFFICE and _office_members_left(membership) == 0:
            raise ValidationError(_("Le GHT doit garder au moins une personne active dans la cellule opérationnelle."))
    membership.is_active = active
    membership._history_user = acting_user
    membership.save(update_fields=["is_active", "updated_at"])
    return membership


# --- Personal API tokens -------------------------------------------------------------------------

MAX_API_TOKENS = 20


@transaction.atomic
def create_api_token(*, acting_user, name: str, read_only: bool) -> tuple[ApiToken, str]:
    """A new token of ``acting_user``; returns it with its key, to be shown once and never again."""
    name = (name or "").strip()
    User.objects.select_for_update().filter(pk=acting_user.pk).first()  # one creation at a time per person
    usable = ApiToken.objects.filter(user=acting_user, revoked_at__isnull=True)
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton, pour le reconnaître.")})
    if usable.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Vous avez déjà un jeton de ce nom : choisissez-en un autre.")})
    if usable.count() >= MAX_API_TOKENS:
        raise ValidationError(
            _("Vous avez déjà %(count)s jetons actifs : révoquez ceux qui ne servent plus.") % {"count": MAX_API_TOKENS}
        )
    token = ApiToken(user=acting_user, name=name, read_only=read_only)
    key = token.new_key()
    token.full_clean()
    token.save()
    return token, key


def revoke_api_token(*, acting_user, token: ApiToken) -> None:
    """Revoke one of one's own tokens: it stops working at once (the next request gets 401)."""
    updated = ApiToken.objects.filter(pk=token.pk, user=acting_user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Ce jeton est déjà révoqué."))
