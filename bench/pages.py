"""The pages the benchmark times, each as the person who would open it."""

from __future__ import annotations

from actions.models import Action, Plan
from filieres.models import Pilot
from ght_portal.models import GHT, Membership, Role


def pages(big: GHT) -> list[tuple[str, object, str]]:
    members = list(Membership.objects.filter(ght=big).select_related("user").order_by("pk"))
    office = next(m.user for m in members if m.role == Role.OFFICE)
    director = next(m.user for m in members if m.role == Role.DIRECTOR)
    pilot = Pilot.objects.filter(ght=big).select_related("user").order_by("pk").first().user
    plan = Plan.objects.get(ght=big, status=Plan.Status.ACTIVE)
    action = Action.objects.filter(ght=big).order_by("pk")[300]
    slug = big.slug
    return [
        ("Accueil du GHT", office, f"/{slug}/"),
        ("Membres (60)", office, f"/{slug}/membres/"),
        ("Plan en arbre (600 actions)", director, f"/{slug}/plans/{plan.pk}/"),
        ("Liste des actions", office, f"/{slug}/actions/"),
        ("Liste filtrée et triée", office, f"/{slug}/actions/?status=en_cours&health=at_risk&q=essai&sort=-due_date"),
        # A word found in every action of the GHT: the search's worst case, with no other filter.
        ("Liste : recherche seule", office, f"/{slug}/actions/?q=essai"),
        ("Liste : en retard, page 3", director, f"/{slug}/actions/?late=oui&page=3"),
        ("Page d'une action (historique)", pilot, f"/{slug}/actions/{action.pk}/"),
        ("Mes actions (pilote)", pilot, f"/{slug}/mes-actions/"),
        ("Filière (feuille de route)", pilot, f"/{slug}/filieres/{action.filieres.first().pk}/?annee=2026"),
        ("Calendrier du plan", director, f"/{slug}/plans/{plan.pk}/calendrier/"),
        ("Tableau de bord (chiffres en cache)", director, f"/{slug}/tableau-de-bord/"),
    ]
