"""``manage.py generate_report <ght-slug> --as EMAIL [--kind …] [--year …] [--plan ID] [--filiere CODE]
[--checkpoint ID] [--now]``: the web page's request, in a terminal (same validation, same rights)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.models import Plan
from filieres.models import Filiere
from ght_portal.models import GHT, Membership
from ght_portal.tenancy import scoped
from reports.documents import services
from reports.models import Report
from reports.tasks import build_report


class Command(BaseCommand):
    help = (
        "Demande un rapport PDF (bilan annuel du comité stratégique ou de la CMG, feuille de route d'une "
        "filière) au nom d'un membre du GHT : mis en file pour le worker, ou construit tout de suite avec --now."
    )

    def add_arguments(self, parser):
        parser.add_argument("ght_slug", help="Identifiant d'adresse du GHT, par exemple lot-et-garonne.")
        parser.add_argument("--as", dest="email", required=True, help="E-mail du membre qui demande le rapport.")
        parser.add_argument("--kind", choices=Report.Kind.values, default=Report.Kind.STRATEGIC_REVIEW)
        parser.add_argument("--year", type=int, default=timezone.localdate().year)
        parser.add_argument("--plan", type=int, help="Identifiant du projet (par défaut : le projet en vigueur).")
        parser.add_argument("--filiere", help="Code de la filière (feuille de route).")
        parser.add_argument(
            "--checkpoint", type=int, help="Identifiant d'un point d'étape clos (sinon : chiffres du jour)."
        )
        parser.add_argument("--now", action="store_true", help="Construit le PDF dans ce processus, sans worker.")

    def handle(self, *args, ght_slug, email, kind, year, plan, filiere, checkpoint, now, **options):
        ght = GHT.objects.filter(slug=ght_slug).first()
        if ght is None:
            raise CommandError(f"Aucun GHT « {ght_slug} ».")
        membership = (
            scoped(Membership, ght).active().select_related("user", "ght").filter(user__email__iexact=email).first()
        )
        if membership is None:
            raise CommandError(f"« {email} » n'est pas un membre actif de ce GHT.")
        if plan is None:
            active = scoped(Plan, ght).filter(status=Plan.Status.ACTIVE).first()
            plan = active.pk if active else None
        filiere_id = None
        if filiere:
            found = scoped(Filiere, ght).filter(code__iexact=filiere).first()
            if found is None:
                raise CommandError(f"Aucune filière de code « {filiere} » dans ce GHT.")
            filiere_id = found.pk
        data = {"kind": kind, "plan": plan, "year": year, "filiere": filiere_id, "campaign": checkpoint}
        try:
            report, created = services.request_report(membership=membership, data=data, acting_user=membership.user)
        except PermissionDenied as error:
            raise CommandError(str(error) or "Ce membre ne peut pas demander de rapport.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not created:
            self.stdout.write(f"Rapport n° {report.pk} déjà {report.get_status_display().lower()}.")
        elif now:
            build_report.apply(args=[report.pk])  # in this process: the same task body, no broker
        report.refresh_from_db()
        if report.status == Report.Status.FAILED:
            raise CommandError(f"Rapport n° {report.pk} en échec : {report.error}")
        where = f"Fichier : {report.file.name}" if report.is_done else ""
        self.stdout.write(f"Rapport n° {report.pk} : {report.get_status_display()}. {where}".strip())
