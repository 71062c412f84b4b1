"""Tenancy core: people, GHTs, their establishments and who belongs to which GHT with which role."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.validators import validate_image_file_extension
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ght_portal.validators import validate_departement, validate_finess, validate_phone

# URL segments that a GHT slug may not take, because they are top-level routes.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "static", "media", "compte", "connexion", "deconnexion", "invitation", "mot-de-passe"}
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in by e-mail. Staff names and e-mails are personal data (RGPD), nothing more."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("compte actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration de la plateforme"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    digest_opt_out = models.BooleanField(
        _("Ne pas recevoir le récapitulatif hebdomadaire"),
        default=False,
        help_text=_("Le lundi matin, un e-mail liste vos actions en retard ou à échéance dans les 30 jours."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Region(models.TextChoices):
    ARA = "ARA", "Auvergne-Rhône-Alpes"
    BFC = "BFC", "Bourgogne-Franche-Comté"
    BRE = "BRE", "Bretagne"
    CVL = "CVL", "Centre-Val de Loire"
    COR = "COR", "Corse"
    GES = "GES", "Grand Est"
    HDF = "HDF", "Hauts-de-France"
    IDF = "IDF", "Île-de-France"
    NOR = "NOR", "Normandie"
    NAQ = "NAQ", "Nouvelle-Aquitaine"
    OCC = "OCC", "Occitanie"
    PDL = "PDL", "Pays de la Loire"
    PAC = "PAC", "Provence-Alpes-Côte d'Azur"
    GUA = "GUA", "Guadeloupe"
    MTQ = "MTQ", "Martinique"
    GUY = "GUY", "Guyane"
    REU = "REU", "La Réunion"
    MAY = "MAY", "Mayotte"


def ght_logo_path(instance: GHT, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"ght/{instance.slug}/logo-{secrets.token_hex(4)}.{extension}"


class GHT(models.Model):
    """A Groupement Hospitalier de Territoire: the tenant. Nothing of one GHT is visible to another."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    short_name = models.CharField(_("nom court"), max_length=60)
    slug = models.SlugField(
        _("identifiant d'adresse"),
        max_length=60,
        unique=True,
        help_text=_("Utilisé dans les adresses des pages, par exemple « lot-et-garonne »."),
    )
    departements = ArrayField(
        models.CharField(max_length=3, validators=[validate_departement]),
        verbose_name=_("départements"),
        default=list,
        help_text=_("Codes séparés par des virgules, par exemple « 47 » ou « 76, 27 »."),
    )
    region = models.CharField(_("région"), max_length=3, choices=Region.choices)
    logo = models.ImageField(_("logo"), upload_to=ght_logo_path, blank=True, validators=[validate_image_file_extension])
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("GHT")
        verbose_name_plural = _("GHT")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ght_home", kwargs={"ght_slug": self.slug})

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("Cet identifiant est réservé par l'application ; choisissez-en un autre.")}
            )

    @property
    def support_establishment(self) -> Establishment | None:
        return self.establishments.filter(role=Establishment.Role.SUPPORT).first()


class TenantModel(models.Model):
    """Every tenant-owned row carries its GHT, so every query and index can start with it."""

    ght = models.ForeignKey(GHT, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("GHT"))


    # Name of the required foreign key whose GHT this row copies on save (e.g. "plan"), None for roots.
    ght_from: str | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.ght_from:
            self.inherit_ght()
        super().save(*args, **kwargs)

    def inherit_ght(self) -> None:
        """Take the parent's GHT when unset; refuse (ValueError) a row whose GHT differs from its parent's.

        Only ``save()`` runs this: ``bulk_create`` and ``update`` must set ``ght`` themselves.
        """
        if getattr(self, f"{self.ght_from}_id") is None:
            return  # the missing parent is reported by the database (NOT NULL) or by full_clean()
        parent_ght_id = getattr(self, self.ght_from).ght_id
        if self.ght_id is None:
            self.ght_id = parent_ght_id
        elif self.ght_id != parent_ght_id:
            raise ValueError(
                f"{type(self).__name__}: GHT {self.ght_id} differs from its {self.ght_from}'s GHT {parent_ght_id}"
            )


class EstablishmentQuerySet(models.QuerySet):
    def in_ght_order(self) -> EstablishmentQuerySet:
        """Active first; the support establishment, then members, associates, partners; by name."""
        rank = models.Case(
            *(models.When(role=role, then=position) for position, role in enumerate(Establishment.Role.values)),
            output_field=models.IntegerField(),
        )
        return self.order_by("-is_active", rank, "name")


class Establishment(TenantModel):
    class Kind(models.TextChoices):
        CHU = "chu", _("CHU")
        CH = "ch", _("Centre hospitalier")
        CHS = "chs", _("CHS / EPSM (psychiatrie)")
        PROXIMITE = "proximite", _("Hôpital de proximité")
        EHPAD = "ehpad", _("EHPAD")
        HAD = "had", _("HAD")
        HIA = "hia", _("HIA (hôpital d'instruction des armées)")
        PRIVATE = "prive", _("Établissement privé")
        MEDICO_SOCIAL = "medico_social", _("Établissement ou association médico-social")
        OTHER = "autre", _("Autre")

    class Role(models.TextChoices):
        SUPPORT = "support", _("Établissement support")
        MEMBER = "member", _("Établissement membre")
        ASSOCIATE = "associate", _("Établissement associé")
        PARTNER = "partner", _("Établissement partenaire")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.CH)
    town = models.CharField(_("commune"), max_length=120)
    finess_juridique = models.CharField(_("FINESS juridique"), max_length=9, blank=True, validators=[validate_finess])
    finess_geographique = models.CharField(
        _("FINESS géographique"), max_length=9, blank=True, validators=[validate_finess]
    )
    role = models.CharField(_("rôle dans le GHT"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstablishmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["ght", "name"], name="establishment_unique_name"),
            models.UniqueConstraint(
                fields=["ght"], condition=models.Q(role="support"), name="establishment_one_support"
            ),
            models.UniqueConstraint(
                fields=["ght", "finess_geographique"],
                condition=~models.Q(finess_geographique=""),
                name="establishment_unique_finess_geo",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do in a GHT: the office runs it, pilots edit their filières, owners follow their
    actions, directors read and record decisions, readers read."""

    OFFICE = "office", _("Cellule opérationnelle")
    DIRECTOR = "director", _("Direction / membre d'instance")
    PILOT = "pilot", _("Pilote de filière")
    OWNER = "owner", _("Responsable d'action")
    READER = "reader", _("Lecteur")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)


class Membership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("personne")
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.READER)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [models.UniqueConstraint(fields=["user", "ght"], name="membership_unique_user_ght")]

    def __str__(self) -> str:
        return f"{self.user} — {self.ght.short_name} ({self.get_role_display()})"

    @property
    def is_office(self) -> bool:
        return self.role == Role.OFFICE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (possibly expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(TenantModel):
    """A single-use, expiring link that lets a person set a password and join a GHT with a role.

    Only the SHA-256 of the token is stored: a database leak does not leak usable links.
    """

    email = models.EmailField(_("adresse e-mail"))
    full_name = models.CharField(_("nom complet"), max_length=150)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "ght",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.ght.short_name}"

    def new_token(self) -> str:
        """Give the invitation a fresh token and validity; return the token (shown once, in the mail)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + settings.INVITATION_VALIDITY
        return token

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        if self.accepted_at:
            return _("acceptée")
        if self.revoked_at:
            return _("annulée")
        if self.is_expired:
            return _("expirée")
        return _("en attente")


API_TOKEN_PREFIX = "ghtp_"  # noqa: S105 - the visible start of every key, not a secret


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        """Not revoked, of an active account."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal key for the API (scripts, Power BI…), named and revoked by its owner in « Mon compte ».

    It acts as its owner, with the owner's memberships and roles; a read-only token refuses every write.
    Only the SHA-256 of the key is stored, and the key is shown once, at creation: a database leak does
    not leak usable keys. ``prefix`` (the key's first characters) lets the owner recognise it in the list.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("personne")
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("Par exemple « Tableau de bord Power BI »."))
    read_only = models.BooleanField(
        _("lecture seule"), default=True, help_text=_("Un jeton en lecture seule ne peut rien modifier.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("début du jeton"), max_length=13, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def new_key(self) -> str:
        """Give the token its key; return the key, which is never stored and cannot be read again."""
        key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash = hash_token(key)
        self.prefix = key[: len(API_TOKEN_PREFIX) + 8]
        return key

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
