"""Mutations of the filières: pilots, working groups, who may edit what.

A pilot is two things that must never drift apart: a ``Pilot`` row (shown on the filière page) and
the django-guardian object permission "filieres.pilot_filiere" (what the permission checks read).
``add_pilot`` / ``remove_pilot`` change both in one transaction.

Who may edit what is decided by ``actions.permissions``; ``filieres.permissions`` adds the
filière-level rule built on it (description and SWOT).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from actions.models import Action, Plan, in_filieres_q, late_condition, running_in_q
from actions.permissions import PILOT_PERMISSION
from filieres.models import Filiere, Pilot, WorkingGroupMember
from ght_portal.models import Establishment, Membership
from ght_portal.tenancy import acting_membership

User = get_user_model()

# --- Queries ---------------------------------------------------------------------------------------


def roadmap_actions(filiere: Filiere, year: int, today: datetime.date) -> QuerySet:
    """The filière's actions running at some point of ``year`` (its feuille de route), by due date;
    ``is_late_db`` as of ``today``. A missing date is taken as the other one (as on the timeline)."""
    return (
        Action.objects.filter(ght_id=filiere.ght_id)
        .filter(in_filieres_q(filiere), running_in_q(year))
        .annotate_late(today)
        .distinct()
        .order_by("due_date", "code")
    )


def with_action_counts(queryset: QuerySet, today: datetime.date) -> QuerySet:
    """Annotate filières with ``action_count`` and ``late_count`` (actions of plans not archived).

    Two correlated subqueries, so the list costs one query whatever the number of filières.
    """

    def count(extra: Q) -> Subquery:
        actions = (
            Action.objects.filter(in_filieres_q(OuterRef("pk")), extra)
            .exclude(plan__status=Plan.Status.ARCHIVED)
            .order_by()
            .values("ght")
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        return Coalesce(Subquery(actions, output_field=IntegerField()), 0)

    return queryset.annotate(action_count=count(Q()), late_count=count(late_condition(today)))


# --- Mutations -------------------------------------------------------------------------------------


def _check_member_and_establishment(filiere: Filiere, user, establishment: Establishment | None) -> None:
    errors = {}
    if not Membership.objects.active().filter(ght_id=filiere.ght_id, user=user).exists():
        errors["user"] = _("Cette personne n'est pas membre active de ce GHT.")
    if establishment is not None and establishment.ght_id != filiere.ght_id:
        errors["establishment"] = _("Cet établissement n'appartient pas à ce GHT.")
    if errors:
        raise ValidationError(errors)


def _check_office(acting_user, filiere: Filiere) -> None:
    membership = acting_membership(acting_user, filiere.ght_id)
    if membership is None or not membership.is_office:
        raise ValidationError(_("Seule la cellule opérationnelle du GHT désigne les pilotes et le groupe de travail."))


@transaction.atomic
def add_pilot(*, acting_user, filiere: Filiere, user, establishment: Establishment | None, pilot_role: str) -> Pilot:
    """Make ``user`` a pilot of ``filiere``: the Pilot row and the guardian grant, together."""
    _check_office(acting_user, filiere)
    _check_member_and_establishment(filiere, user, establishment)
    if Pilot.objects.filter(filiere=filiere, user=user).exists():
        raise ValidationError({"user": _("Cette personne est déjà pilote de cette filière.")})
    pilot = Pilot(filiere=filiere, user=user, establishment=establishment, pilot_role=pilot_role)
    pilot.inherit_ght()
    pilot.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            pilot.save()
    except IntegrityError as error:  # a concurrent request added the same person first
        raise ValidationError({"user": _("Cette personne est déjà pilote de cette filière.")}) from error
    assign_perm(PILOT_PERMISSION, user, filiere)
    return pilot


@transaction.atomic
def remove_pilot(*, acting_user, pilot: Pilot) -> None:
    """Remove the Pilot row and the guardian grant that went with it."""
    filiere = pilot.filiere
    _check_office(acting_user, filiere)
    deleted, _rows = Pilot.objects.filter(pk=pilot.pk, ght_id=filiere.ght_id).delete()
    if not deleted:
        raise ValidationError(_("Cette personne n'est plus pilote de cette filière."))
    remove_perm(PILOT_PERMISSION, pilot.user, filiere)


@transaction.atomic
def add_working_group_member(
    *, acting_user, filiere: Filiere, user, establishment: Establishment | None
) -> WorkingGroupMember:
    _check_office(acting_user, filiere)
    _check_member_and_establishment(filiere, user, establishment)
    message = _("Cette personne fait déjà partie du groupe de travail de cette filière.")
    if WorkingGroupMember.objects.filter(filiere=filiere, user=user).exists():
        raise ValidationError({"user": message})
    member = WorkingGroupMember(filiere=filiere, user=user, establishment=establishment)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        raise ValidationError({"user": message}) from error
    return member


@transaction.atomic
def remove_working_group_member(*, acting_user, member: WorkingGroupMember) -> None:
    _check_office(acting_user, member.filiere)
    WorkingGroupMember.objects.filter(pk=member.pk, ght_id=member.ght_id).delete()


@transaction.atomic
def save_filiere(*, acting_user, filiere: Filiere, establishments=None) -> Filiere:
    """Save a filière (new or edited) and, when given, its establishments, all of the filière's GHT.
    The code is kept in capitals (« ger » → « GER »), whoever writes it (form, API)."""
    filiere.code = filiere.code.strip().upper()
    if establishments is not None and any(e.ght_id != filiere.ght_id for e in establishments):
        raise ValidationError({"establishments": _("Cet établissement n'appartient pas à ce GHT.")})
    taken = Filiere.objects.filter(ght_id=filiere.ght_id).exclude(pk=filiere.pk)
    errors = {}
    if taken.filter(code__iexact=filiere.code).exists():
        errors["code"] = _("Une filière porte déjà ce code dans ce GHT.")
    if taken.filter(name__iexact=filiere.name).exists():
        errors["name"] = _("Une filière porte déjà ce nom dans ce GHT.")
    if errors:
        raise ValidationError(errors)
    filiere._history_user = acting_user
    filiere.save()
    if establishments is not None:
        filiere.establishments.set(establishments)
    return filiere
