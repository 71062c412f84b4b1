"""``manage.py import_plan <ght-slug> <file> [--plan ID] [--dry-run] [--user EMAIL]``: the web import, in a terminal."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actions.models import Plan
from actions.spreadsheet.importer import MAX_UPLOAD_BYTES, import_plan_file
from ght_portal.actors import system_actor
from ght_portal.models import GHT, Membership
from ght_portal.tenancy import scoped


class Command(BaseCommand):
    help = (
        "Importe un classeur (.xlsx) ou un CSV de la feuille « Actions » dans un projet d'un GHT : "
        "tout ou rien ; --dry-run n'enregistre rien. Code de sortie 1 en cas d'erreur."
    )

    def add_arguments(self, parser):
        parser.add_argument("ght_slug", help="Identifiant d'adresse du GHT, par exemple lot-et-garonne.")
        parser.add_argument("file", help="Chemin du fichier .xlsx ou .csv.")
        parser.add_argument("--plan", type=int, help="Identifiant du projet (par défaut : le projet en vigueur).")
        parser.add_argument("--dry-run", action="store_true", help="Vérifie et montre l'aperçu sans rien enregistrer.")
        parser.add_argument(
            "--user",
            help="E-mail du membre auquel attribuer les changements dans l'historique "
            "(par défaut : le compte « Système (GHT Portal) »).",
        )

    def handle(self, *args, ght_slug, file, plan=None, dry_run=False, user=None, **options):
        ght = GHT.objects.filter(slug=ght_slug).first()
        if ght is None:
            raise CommandError(f"Aucun GHT « {ght_slug} ».")
        plans = scoped(Plan, ght)
        target = plans.filter(pk=plan).first() if plan else plans.filter(status=Plan.Status.ACTIVE).first()
        if target is None:
            raise CommandError(
                f"Aucun projet n° {plan} dans ce GHT."
                if plan
                else "Ce GHT n'a pas de projet en vigueur : précisez --plan."
            )
        if user:
            acting_user = get_user_model().objects.filter(email__iexact=user).first()
            if acting_user is None or not scoped(Membership, ght).active().filter(user=acting_user).exists():
                raise CommandError(f"« {user} » n'est pas un membre actif de ce GHT.")
        else:
            acting_user = system_actor()  # no person imports: the history names the system actor
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        with path.open("rb") as handle:
            data = handle.read(MAX_UPLOAD_BYTES + 1)
        report = import_plan_file(
            ght=ght, plan=target, data=data, filename=path.name, acting_user=acting_user, dry_run=dry_run
        )
        self.stdout.write(f"{ght.name} — {target}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(report.problems)} erreur(s) : rien n'a été importé.", returncode=1)
        verb = "à créer / à modifier" if dry_run else "créés / modifiés"
        for count in report.counts():
            self.stdout.write(f"  {count['label']} {verb} : {count['created']} / {count['updated']}")
        if options["verbosity"] > 1:
            for change in report.changes:
                operation = "création" if change.created else "modification (" + ", ".join(change.fields) + ")"
                self.stdout.write(f"    {change.kind_label} {change.label} : {operation}")
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation : rien n'a été enregistré."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Import terminé : {len(report.changes)} changement(s)."))
