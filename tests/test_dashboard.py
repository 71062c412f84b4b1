"""The dashboard page: what it shows for a known data set, its filters in the URL, 404 for another
GHT's ids, its query ceiling, and malicious titles printed as text (page and charts)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from actions.models import Action, Axis, Plan
from filieres.models import Filiere
from ght_portal.models import Role
from governance.models import Campaign
from tests.factories import EstablishmentFactory, FiliereFactory, PlanFactory
from tests.helpers import text
from tests.test_figures import Data, days

MALICIOUS = '<script>alert("x")</script></table>url(javascript:alert(1))'


@pytest.fixture
def data(ght, make_member):
    return Data(ght, make_member)


def url(**params) -> str:
    base = reverse("dashboard", kwargs={"ght_slug": "alpha"})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def section(page: str, heading_id: str) -> str:
    """The HTML of one <section> of the page, from its heading's id."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize("role", Role.values)
def test_every_member_reads_the_dashboard(client, data, make_member, role):
    client.force_login(make_member(data.ght, role))
    response = client.get(url())
    assert response.status_code == 200
    page = text(response)
    assert "Tableau de bord" in page and "Données du portail au " in page
    assert 'aria-current="page">Tableau de bord</a>' in page  # the main navigation leads here


def test_dashboard_shows_the_figures_of_the_plan(client, data):
    data.campaign()
    client.force_login(data.office)
    page = text(client.get(url()))
    assert re.search(r'stat__value">6<.*?actions suivies', page, re.S)
    assert re.search(r'stat__value">2<.*?en retard', page, re.S)
    for key in ("graphique-statuts", "graphique-sante", "graphique-axes", "graphique-filieres"):
        assert f'<svg xmlns="http://www.w3.org/2000/svg" id="{key}"' in page, key
    assert 'id="graphique-points-d-etape"' in page and 'id="graphique-indicateurs"' in page
    late = section(page, "en-retard")
    assert "2 actions en retard" in late
    assert late.index("A1 — Action A1") < late.index("A5 — Action A5")
    assert "Locaux manquants" in late and "Recruter deux IDE" in late
    assert f'href="/alpha/actions/{data.a1.pk}/"' in late
    assert "A2 — Action A2" in section(page, "echeances")
    assert "Ambition 1 — Parcours" in section(page, "par-axe")
    assert "GER — Gériatrie" in section(page, "par-filiere")
    trend = section(page, "points-d-etape")
    assert "Point d'étape juin" in trend and "41\u202f%" in trend  # the whole plan, frozen at closing
    indicators = section(page, "indicateurs")
    assert "Patients vus (patients)" in indicators and "50\u202f%" in indicators


def test_filters_are_read_from_the_url(client, data):
    june = data.campaign()
    client.force_login(data.office)
    by_filiere = text(client.get(url(filiere=data.urg.pk)))
    assert "filière URG — Urgences" in by_filiere
    assert "A2 — Action A2" in by_filiere and "A1 — Action A1" not in by_filiere
    by_establishment = text(client.get(url(etablissement=data.chb.pk)))
    assert "CH Bourg" in by_establishment and "A4 — Action A4" in by_establishment
    snapshot = text(client.get(url(source=june.pk)))
    assert "Instantané du point d'étape « Point d'étape juin », clos le" in snapshot
    assert f'<option value="{june.pk}" selected>' in snapshot
    medical = text(client.get(url(medicales="oui")))
    assert "filières médicales" in medical and "A4 — Action A4" not in medical
    assert 'name="medicales" value="oui" checked' in medical


def test_another_ghts_ids_and_unknown_values_answer_404(client, data, other_ght, make_member):
    other_plan = PlanFactory(ght=other_ght)
    other_filiere = FiliereFactory(ght=other_ght)
    other_establishment = EstablishmentFactory(ght=other_ght)
    open_campaign = Campaign.objects.create(plan=data.plan, title="Ouvert", deadline=days(10))
    second_plan = PlanFactory(ght=data.ght, start_year=2018, end_year=2023, status=Plan.Status.ARCHIVED)
    other_plans_campaign = Campaign.objects.create(
        plan=second_plan, title="Ancien", deadline=days(10), status=Campaign.Status.CLOSED, closed_at=data.a1.created_at
    )
    client.force_login(data.office)
    for params in (
        {"projet": other_plan.pk},
        {"filiere": other_filiere.pk},
        {"etablissement": other_establishment.pk},
        {"source": open_campaign.pk},
        {"source": other_plans_campaign.pk},
        {"projet": "abc"},
        {"source": "hier"},
    ):
        assert client.get(url(**params)).status_code == 404, params
        export = reverse("dashboard_export", kwargs={"ght_slug": "alpha"})
        assert client.get(export, params).status_code == 404, params
    assert client.get(url(projet=second_plan.pk, source=other_plans_campaign.pk)).status_code == 200
    # A member of the other GHT only.
    client.force_login(make_member(other_ght, Role.OFFICE))
    assert client.get(url()).status_code == 404


def test_a_ght_without_plan(client, ght, office):
    client.force_login(office)
    response = client.get(url())
    assert response.status_code == 200
    assert "n'a pas encore de projet médico-soignant partagé" in text(response)
    assert client.get(reverse("dashboard_export", kwargs={"ght_slug": "alpha"})).status_code == 404


def test_query_ceiling_whatever_the_size(client, data, django_assert_max_num_queries):
    from tests.factories import ActionFactory, IndicatorFactory

    data.campaign()
    for n in range(40):
        action = ActionFactory(objective=data.a1.objective, plan=data.plan, code=f"X-{n}", due_date=days(n - 20))
        action.filieres.add(data.urg)
        IndicatorFactory(action=action)
    client.force_login(data.office)
    client.get(url())  # warm the session
    # session, user, membership with its GHT (GHTMixin); plans; closed campaigns of the plan,
    # filières and establishments (the filter's choices); the figures: filières, actions, their
    # filière links, indicators with their latest value, latest submitted updates, closed
    # checkpoints (6); the version of the data that keys the cache (1; inside the test's
    # transaction nothing is cached, so the figures are computed); the GHT switcher's memberships;
    # the idle-timeout session save (savepoint, update, release): 18, whatever the number of actions
    # (charts come from Redis, not SQL).
    with django_assert_max_num_queries(18):
        response = client.get(url(filiere=data.urg.pk, etablissement=data.chu.pk))
    assert response.status_code == 200


def test_malicious_titles_come_out_as_text(client, data):
    Action.objects.filter(pk=data.a1.pk).update(title=MALICIOUS)
    Axis.objects.filter(plan=data.plan, position=1).update(title=MALICIOUS)
    Filiere.objects.filter(pk=data.ger.pk).update(name=MALICIOUS)
    data.campaign(title=MALICIOUS, blocking=MALICIOUS)
    client.force_login(data.office)
    page = client.get(url()).content.decode()
    assert "<script>alert" not in page and "</table>url(" not in page
    assert page.count("&lt;script&gt;alert(") >= 5  # action, axis, filière, checkpoint, blocking points
    assert "&lt;/table&gt;url(javascript:alert(1))" in page


def test_ght_home_links_to_the_dashboard(reader_client, ght):
    page = text(reader_client.get(reverse("ght_home", kwargs={"ght_slug": "alpha"})))
    assert '<a class="button" href="/alpha/tableau-de-bord/">Tableau de bord du projet</a>' in page
