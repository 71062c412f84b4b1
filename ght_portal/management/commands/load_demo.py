"""Load the demo GHTs, their establishments, people and plans; running it again changes nothing.

Each plan is a workbook of ``demo/`` (built from the seeds by ``demo/build_demo_plans.py``) loaded
through the same importer as the web upload, so the demo also proves the import format.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from actions.models import Action, Plan
from actions.spreadsheet.importer import import_plan_file
from filieres.models import Filiere, Pilot
from filieres.services import add_pilot
from ght_portal import demo_data
from ght_portal.actors import system_actor
from ght_portal.models import GHT, Establishment, Membership, Role
from ght_portal.tenancy import scoped
from governance.checkpoints import services as checkpoints
from governance.models import Campaign, Decision, Instance
from governance.services import ensure_default_instances, record_decision

User = get_user_model()
DEMO_DIR = settings.BASE_DIR / "demo"


def _person(email: str, full_name: str, job_title: str = "", **extra):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "job_title": job_title, **extra}
    )
    if created:
        user.set_password(demo_data.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _upsert(model, actor, lookup: dict, values: dict):
    """``update_or_create`` that saves only a new or changed row, its history naming ``actor``."""
    row = model.objects.filter(**lookup).first() or model(**lookup)
    if row._state.adding or any(getattr(row, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        row._history_user = actor
        row.save()
    return row


def _plan(ght: GHT, spec: dict, actor) -> Plan:
    """The demo plan of the GHT, in force unless the GHT already has another plan in force."""
    plan = scoped(Plan, ght).filter(start_year=spec["start_year"], end_year=spec["end_year"]).first()
    if plan is None:
        has_active = scoped(Plan, ght).filter(status=Plan.Status.ACTIVE).exists()
        plan = Plan(
            ght=ght,
            title=spec["title"],
            start_year=spec["start_year"],
            end_year=spec["end_year"],
            axis_label=spec["axis_label"],
            status=Plan.Status.DRAFT if has_active else Plan.Status.ACTIVE,
        )
        plan._history_user = actor
        plan.save()
    return plan


def _pilots(ght: GHT, pilots: dict[str, str], office) -> None:
    """Each demo pilot pilots their filière (the Pilot row and its object permission, via the service)."""
    support = ght.support_establishment
    for code, email in pilots.items():
        filiere = scoped(Filiere, ght).get(code=code)
        user = User.objects.get(email=email)
        if not Pilot.objects.filter(filiere=filiere, user=user).exists():
            add_pilot(
                acting_user=office, filiere=filiere, user=user, establishment=support, pilot_role=Pilot.PilotRole.PU_PH
            )


def _governance(ght: GHT, plan: Plan, office) -> None:
    """A year of governance, so that the dashboard and the annual reviews have something to show: the
    June checkpoint, closed, and a few opinions and decisions of the CMG and the comité stratégique.
    Only when the GHT has none yet (running load_demo again adds nothing)."""
    membership = Membership.objects.get(ght=ght, user=office)
    today = timezone.localdate()
    if plan.status == Plan.Status.ACTIVE and not scoped(Campaign, ght).filter(plan=plan).exists():
        campaign = checkpoints.open_campaign(
            acting_user=office,
            membership=membership,
            plan=plan,
            title=f"Point d'étape de juin {today.year}",
            deadline=today,
            all_filieres=True,
        )
        checkpoints.close_campaign(acting_user=office, membership=membership, campaign=campaign)
        Campaign.objects.filter(pk=campaign.pk).update(deadline=today.replace(month=6, day=15))
    if scoped(Decision, ght).exists():
        return
    actions = list(scoped(Action, ght).filter(plan=plan).order_by("code")[:6])
    instances = {instance.kind: instance for instance in scoped(Instance, ght)}
    decisions = [
        (Instance.Kind.CMG, Decision.Kind.FAVOURABLE, 3, actions[:2],
         "Avis favorable de la CMG sur le déploiement, sous réserve d'un bilan des recrutements médicaux."),
        (Instance.Kind.CMG_BUREAU, Decision.Kind.RESERVED, 2, actions[2:3],
         "Avis réservé : le bureau demande le chiffrage des postes partagés avant passage en CMG."),
        (Instance.Kind.STRATEGIC, Decision.Kind.VALIDATION, 5, actions[:2],
         "Le comité stratégique valide les deux projets et leur financement sur le FIR."),
        (Instance.Kind.STRATEGIC, Decision.Kind.INFORMATION, 9, [],
         "Présentation du point d'étape de juin et des actions en retard."),
    ]  # fmt: skip
    for kind, decision_kind, month, concerned, text in decisions:
        if kind in instances:
            record_decision(
                acting_user=office,
                membership=membership,
                instance=instances[kind],
                decided_on=today.replace(month=min(month, today.month), day=10),
                kind=decision_kind,
                text=text,
                actions=concerned,
            )


class Command(BaseCommand):
    help = "Charge les GHT de démonstration et leurs plans (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        # No person runs this: what it writes itself is the system actor's in the history; the plans are
        # imported, and the governance year recorded, as each GHT's project office.
        system = system_actor()
        _person(*demo_data.OPERATOR, is_staff=True, is_superuser=True)
        shared_email, shared_name, shared_title, shared_role = demo_data.SHARED_PERSON
        shared = _person(shared_email, shared_name, shared_title)
        for spec in demo_data.GHTS:
            values = {key: spec[key] for key in ("name", "short_name", "departements", "region")}
            ght = _upsert(GHT, system, {"slug": spec["slug"]}, values)
            ensure_default_instances(ght)  # new GHTs get them on creation; this covers older demo data
            for name, kind, town, role, finess in spec["establishments"]:
                _upsert(
                    Establishment,
                    system,
                    {"ght": ght, "name": name},
                    {"kind": kind, "town": town, "role": role, "finess_juridique": finess},
                )
            people = [*spec["people"], *spec.get("owners", [])]
            for email, full_name, job_title, role in people:
                user = _person(email, full_name, job_title)
                _upsert(Membership, system, {"ght": ght, "user": user}, {"role": role, "is_active": True})
            _upsert(Membership, system, {"ght": ght, "user": shared}, {"role": shared_role, "is_active": True})
            counts = f"{len(spec['establishments'])} établissements, {len(people) + 1} personnes"
            if "plan" in spec:
                counts += " ; " + self._load_plan(ght, spec["plan"], people, system)
            self.stdout.write(f"{ght.name} : {counts}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))

    def _load_plan(self, ght: GHT, spec: dict, people: list, system) -> str:
        plan = _plan(ght, spec, system)
        office_email = next(email for email, _n, _t, role in people if role == Role.OFFICE)
        office = User.objects.get(email=office_email)
        path = DEMO_DIR / spec["file"]
        report = import_plan_file(
            ght=ght, plan=plan, data=path.read_bytes(), filename=path.name, acting_user=office, dry_run=False
        )
        if not report.ok:
            problems = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(f"Le plan de démonstration {path.name} ne s'importe pas :\n{problems}")
        _pilots(ght, spec.get("pilots", {}), office)
        _governance(ght, plan, office)
        return f"{plan.title} : {plan.actions.count()} actions, {len(report.changes)} changements"
