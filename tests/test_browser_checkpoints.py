"""Issue 4's office journey in the real UI: open a checkpoint, a pilot submits two updates, the office
closes the checkpoint and opens the comparison with today (Debian's chromium, as tests/test_browser.py)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, Plan
from filieres.models import Pilot
from filieres.services import add_pilot
from ght_portal.models import Role
from governance.models import Campaign, Snapshot
from tests.browser import SHOTS, field, ght_nav, log_in
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, ObjectiveFactory, PlanFactory

pytestmark = pytest.mark.browser


def test_office_runs_a_checkpoint_and_compares_it_with_today(new_page, live_server, ght, make_member):
    office = make_member(ght, Role.OFFICE, full_name="Claire Cellule")
    pilot = make_member(ght, Role.PILOT, full_name="Sophie Lacombe")
    geriatrie = FiliereFactory(ght=ght, name="Gériatrie", code="GER")
    add_pilot(acting_user=office, filiere=geriatrie, user=pilot, establishment=None, pilot_role=Pilot.PilotRole.PU_PH)
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE, title="PMSP Alpha")
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan, position=1, title="Parcours"), filiere=geriatrie)
    for code, title, progress in [("GER-1", "Équipes mobiles", 10), ("GER-2", "Hôpital de jour", 20)]:
        action = ActionFactory(objective=objective, code=code, title=title, progress=progress)
        action.filieres.add(geriatrie)
    deadline = timezone.localdate() + datetime.timedelta(days=20)

    # The office opens the campaign.
    page = new_page()
    log_in(page, office)
    ght_nav(page).get_by_role("link", name="Points d'étape").click()
    expect(page.get_by_role("heading", name="Points d'étape", exact=True)).to_be_visible()
    page.get_by_role("link", name="Ouvrir un point d'étape").click()
    field(page, "Intitulé").fill("Point d'étape juin 2026")
    expect(field(page, "Projet")).to_have_value(str(plan.pk))
    field(page, "Date limite").fill(deadline.isoformat())
    page.get_by_label("Toutes les actions ouvertes du projet").check()
    page.get_by_role("button", name="Ouvrir le point d'étape").click()
    campaign = Campaign.objects.get()
    expect(page).to_have_url(f"{live_server.url}/alpha/points-d-etape/{campaign.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("2 mise(s) à jour attendue(s)")
    expect(page.get_by_text("0 / 2")).to_be_visible()

    # The pilot submits the two updates from « Mes mises à jour ».
    pilot_page = new_page()
    log_in(pilot_page, pilot)
    ght_nav(pilot_page).get_by_role("link", name="Points d'étape").click()
    pilot_page.get_by_role("link", name="Mes mises à jour").click()
    expect(pilot_page.get_by_text("Vous avez 2 mises à jour à soumettre.")).to_be_visible()
    first = pilot_page.get_by_role("region", name=re.compile(r"^GER-1"))
    field(first, "Avancement (%)").fill("60")
    field(first, "État de santé").select_option(label="À risque")
    field(first, "Points de blocage").fill("Recrutement d'un gériatre.")
    first.get_by_role("button", name="Soumettre la mise à jour de GER-1").click()
    expect(pilot_page.get_by_role("status").first).to_contain_text("La mise à jour de GER-1 est soumise.")
    expect(pilot_page.get_by_text("Vous avez 1 mise à jour à soumettre.")).to_be_visible()
    second = pilot_page.get_by_role("region", name=re.compile(r"^GER-2"))
    field(second, "Statut").select_option(label="Réalisée")
    field(second, "Avancement (%)").fill("100")
    second.get_by_role("button", name="Soumettre la mise à jour de GER-2").click()
    expect(pilot_page.get_by_text("Vous n'avez aucune mise à jour à soumettre.")).to_be_visible()

    # The office sees the completion, closes with a confirmation, and lands on the comparison.
    page.reload()
    expect(page.get_by_text("2 / 2")).to_be_visible()
    expect(page.get_by_text("Toutes les mises à jour sont soumises.")).to_be_visible()
    page.get_by_role("link", name="Clore le point d'étape").click()
    page.get_by_role("button", name="Confirmer la clôture").click()
    expect(page).to_have_url(f"{live_server.url}/alpha/points-d-etape/{campaign.pk}/comparer/")
    expect(page.get_by_role("status").first).to_contain_text("est clos")
    assert Snapshot.objects.filter(campaign=campaign).count() == 2

    # Later, an action moves; the comparison with today shows it, the snapshot does not move.
    Action.objects.filter(code="GER-1").update(progress=75)
    page.reload()
    expect(page.get_by_role("heading", name="De « Point d'étape juin 2026 » à « Aujourd'hui »")).to_be_visible()
    moved = page.get_by_role("row").filter(has_text="GER-1")
    expect(moved).to_contain_text("60 % → 75 % (+15)")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "checkpoint-compare.png"), full_page=True)
    assert Snapshot.objects.get(campaign=campaign, action_code="GER-1").progress == 60
    assert Snapshot.objects.get(campaign=campaign, action_code="GER-2").status == "realisee"
