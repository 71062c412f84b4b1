"""The charts (reports/charts.py): self-contained SVG without script or stylesheet, every text escaped,
text alternatives that carry the figures, accessible colours, cached by the hash of their data."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from actions.models import Action, Axis
from filieres.models import Filiere
from reports import charts
from reports.figures import compute
from tests.factories import FiliereFactory
from tests.test_figures import Data

SVG = "{http://www.w3.org/2000/svg}"
MALICIOUS = '<script>alert("x")</script></table>url(javascript:alert(1))'


@pytest.fixture
def data(ght, make_member):
    return Data(ght, make_member)


def all_charts(figures) -> list[charts.Chart]:
    drawn = charts.dashboard_charts(figures)
    return [drawn.status, drawn.health, drawn.axes, drawn.filieres, drawn.checkpoints, drawn.indicators]


def parse(chart: charts.Chart) -> ElementTree.Element:
    return ElementTree.fromstring(str(chart.svg))  # noqa: S314 - our own markup, not untrusted input


def test_every_colour_has_3_to_1_contrast_against_white():
    for colour in charts.PALETTE:
        assert charts.contrast(colour, "#ffffff") >= 3, colour


def test_charts_are_self_contained_svg_without_script_or_style(data):
    data.campaign()
    for chart in all_charts(compute(data.scope())):
        markup = str(chart.svg)
        assert not chart.is_empty, chart.key
        assert "<script" not in markup and "<style" not in markup and " style=" not in markup, chart.key
        assert "<!--" not in markup and "<desc class" not in markup  # pygal's comments and tooltip data
        root = parse(chart)
        assert root.get("id") == chart.key and root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.key}-title {chart.key}-desc"
        assert root.find(f"{SVG}title").text == chart.title
        assert root.find(f"{SVG}desc").text == chart.description
        # The colours are presentation attributes of the drawing itself.
        fills = {element.get("fill") for element in root.iter() if element.get("fill")}
        assert fills & set(charts.PALETTE), chart.key


def test_status_chart_colours_and_text_alternative(data):
    chart = charts.dashboard_charts(compute(data.scope())).status
    assert chart.headers == ("Statut", "Actions", "Dont en retard")
    assert chart.rows[1] == ("En cours", "2", "1")
    assert chart.description.startswith("Les 6 actions par statut : À lancer 1, En cours 2 (dont 1 en retard)")
    root = parse(chart)
    late_group = next(g for g in root.iter(f"{SVG}g") if "serie-1" in g.get("class", "").split())
    assert late_group.get("fill") == charts.RED
    # One native tooltip per bar, in French.
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "En cours — En retard : 1" in titles


def test_health_chart_draws_each_bar_in_its_rag_colour(data):
    root = parse(charts.dashboard_charts(compute(data.scope())).health)
    bar_fills = [g.get("fill") for g in root.iter(f"{SVG}g") if g.get("class") == "bar"]
    assert bar_fills == [charts.GREEN, charts.AMBER, charts.RED]


def test_group_charts_list_the_rows_first_at_the_top(data):
    chart = charts.dashboard_charts(compute(data.scope())).axes
    assert [row[0] for row in chart.rows] == ["Ambition 1 — Parcours", "Ambition 2 — Fonctions support", "Sans axe"]
    assert (
        chart.headers[0] == "Ambition"
        and chart.title == "Actions par ambition"
        and chart.rows[0][1:4] == ("3", "1", "1")
    )
    labels = [t for t in parse(chart).iter(f"{SVG}text") if t.text and t.text.startswith(("Ambition", "Sans"))]
    by_height = sorted(labels, key=lambda t: float(t.get("y")))
    assert [t.text for t in by_height] == ["Ambition 1 — Parcours", "Ambition 2 — Fonctions support", "Sans axe"]


def test_checkpoint_and_indicator_charts(data):
    data.campaign()
    figures = compute(data.scope())
    trend = charts.dashboard_charts(figures).checkpoints
    assert trend.rows[0][0] == "Point d'étape juin" and trend.rows[0][3] == "41\u202f%"  # the whole plan at closing
    assert "avancement moyen 41\u202f%" in trend.description
    indicators = charts.dashboard_charts(figures).indicators
    assert dict(indicators.rows)["De 50 à 74 %"] == "1"
    assert dict(indicators.rows)["Sans mesure, référence ou cible"] == "1"


def test_empty_scope_gives_empty_charts(data):
    empty = compute(data.scope(filiere=FiliereFactory(ght=data.ght, code="VID", name="Vide")))
    drawn = charts.dashboard_charts(empty)
    assert drawn.checkpoints.is_empty and drawn.indicators.is_empty and drawn.axes.is_empty
    assert drawn.status.is_empty and drawn.status.svg == ""


def test_malicious_titles_come_out_as_text(data):
    Action.objects.filter(pk=data.a1.pk).update(title=MALICIOUS)
    Axis.objects.filter(plan=data.plan, position=1).update(title=MALICIOUS)
    Filiere.objects.filter(pk=data.ger.pk).update(name=MALICIOUS)
    data.campaign(title=MALICIOUS)
    for chart in all_charts(compute(data.scope())):
        markup = str(chart.svg)
        assert "<script" not in markup and "</table>" not in markup, chart.key
        parse(chart)  # still well-formed XML: nothing broke out of its text node
    axes = charts.dashboard_charts(compute(data.scope())).axes
    assert "&lt;script&gt;" in str(axes.svg)
    assert any(text.text and text.text.startswith("Ambition 1 — <script>") for text in parse(axes).iter(f"{SVG}text"))


def test_rendered_markup_is_cached_under_the_hash_of_its_data(data):
    figures = compute(data.scope())
    spec = charts._status(figures, "graphique-statuts").spec
    cache.delete(spec.cache_key())
    first = charts.dashboard_charts(figures).status
    assert cache.get(spec.cache_key()) == str(first.svg)
    assert charts.dashboard_charts(figures).status.svg == first.svg
    Action.objects.filter(pk=data.a2.pk).update(status=Action.Status.DONE)
    changed = charts._status(compute(data.scope()), "graphique-statuts").spec
    assert changed.cache_key() != spec.cache_key()
