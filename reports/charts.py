"""The one charting module: server-side SVG (pygal) for the dashboard and for the PDF reviews.

Interface (used by templates/reports/dashboard.html through ``reports/_chart.html`` and by the PDFs):

- ``Chart``: ``key`` (the SVG's id, unique on a page), ``title``, ``description`` (the text
  alternative, also the SVG's ``<desc>``), ``headers`` and ``rows`` (the chart's data as text, for the
  table that stands for it), ``svg`` (the markup, safe to print as is), ``is_empty``.
- The charts, each drawn from ``reports.figures.Figures``: by status (the late part in red), by RAG
  health, by axis and by filière (stacked bars by status bucket), the trend across closed checkpoints,
  indicators by share of the way to their target.
- ``dashboard_charts(figures) -> DashboardCharts``: the six at once, with a single cache round trip
  (fields ``status``, ``health``, ``axes``, ``filieres``, ``checkpoints``, ``indicators``).

How the markup is made safe for the page, the Content-Security-Policy and WeasyPrint alike:

- every text goes through ElementTree, which escapes it (a title ``<script>`` is text, not markup);
- no JavaScript: pygal's tooltips script and its data (``<desc>``, the tooltip layer) are removed;
  a bar's value is a native ``<title>`` tooltip instead;
- no ``<style>`` and no ``style=""``: the CSP (``style-src 'self'``) blocks both in an inline SVG,
  and WeasyPrint would not apply the page's stylesheets inside an inline SVG. pygal's stylesheet is
  applied at render time as SVG presentation attributes (``fill="…"``, which neither restricts), with
  tinycss2 and cssselect2 (the CSS parsers WeasyPrint already brings), then dropped. The SVG is then
  self-contained: same colours on screen, in print and in the PDF.
- rendering costs ~10–30 ms a chart, so the markup is cached (Django's cache, Redis) under a hash of
  everything it is drawn from: a change of data is a new key, never a stale chart.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from xml.etree import ElementTree

import cssselect2
import pygal
import tinycss2
from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from pygal.style import Style

from ght_portal.formats import format_number, short_date
from reports.figures import Figures, GroupRow

# Bump when the drawing changes: cached charts of the previous version are then never served.
CHART_VERSION = 3
CACHE_SECONDS = 7 * 24 * 3600

# Every colour is at least 3:1 against white (WCAG 1.4.11, non-text contrast): tests/test_charts.py.
GREEN = "#1d6b3a"
AMBER = "#c27c0e"
RED = "#a3202a"
BLUE = "#2b59a8"
LIGHT_BLUE = "#6d8fc9"
GREY = "#7b8494"
TEXT = "#1e2430"
GUIDE = "#c9cfda"
PALETTE = (GREEN, AMBER, RED, BLUE, LIGHT_BLUE, GREY)
RAG = {"on_track": GREEN, "at_risk": AMBER, "off_track": RED}
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
WIDTH = 760
HALF_WIDTH = 520  # the status and health charts, drawn side by side

# CSS properties that SVG also accepts as presentation attributes (those pygal's stylesheet sets).
# Not font-family: pygal repeats it on every text; the root carries it once and the texts inherit it.
PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-opacity",
        "stroke-width",
        "stroke-dasharray",
        "stroke-linejoin",
        "stroke-linecap",
        "opacity",
        "visibility",
        "font-size",
        "font-weight",
        "text-anchor",
        "text-decoration",
    }
)

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle=TEXT,
    font_family=FONT,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=13,
    title_font_size=15,
    no_data_font_size=16,
    guide_stroke_color=GUIDE,
    major_guide_stroke_color=GUIDE,
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    stroke_width="3",  # the lines of the trend (bars get a 1 px white edge instead)
    transition="none",
    colors=PALETTE,
)


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: tuple[float | None, ...]
    colors: tuple[str, ...] = ()  # one colour per value, when the bars of one series differ (RAG)


@dataclass(frozen=True)
class Spec:
    """Everything a chart is drawn from: its hash is the cache key."""

    key: str
    kind: str  # "bar", "stacked", "hstacked", "hbar" or "line"
    title: str
    description: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    percent: bool = False
    width: int = WIDTH

    def cache_key(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True, default=str).encode()).hexdigest()
        return f"reports:chart:v{CHART_VERSION}:{digest}"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    svg: SafeString  # "" when the chart is empty (nothing to draw: say so in words instead)
    is_empty: bool = False


# --- Numbers as French prose writes them -----------------------------------------------------------


def number(value: float | None) -> str:
    """12 345 (narrow no-break space between thousands), rounded to a whole number; "—" for no value."""
    return format_number(value, 0, empty="—")


def truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{number(value)}\u202f%"


def _ticks(maximum: float, percent_scale: bool) -> list[int]:
    """Whole-number ticks from 0 covering ``maximum`` in at most 6 steps of 1, 2, 5, 10, 20, 25, 50…"""
    if percent_scale:
        return [0, 20, 40, 60, 80, 100]
    top = max(int(maximum), 1)
    step = 1
    for factor in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = factor
        if top / factor <= 6:
            break
    count = -(-top // step)
    return [step * i for i in range(count + 1)]


# --- Drawing ---------------------------------------------------------------------------------------

KINDS = {
    "bar": pygal.Bar,
    "stacked": pygal.StackedBar,
    "hstacked": pygal.HorizontalStackedBar,
    "hbar": pygal.HorizontalBar,
    "line": pygal.Line,
}


def _height(spec: Spec) -> int:
    if spec.kind in ("hstacked", "hbar"):
        return 90 + 34 * max(len(spec.labels), 1) + (22 * len(spec.series) if len(spec.series) > 1 else 0)
    return 340


def _inline_styles(root: ElementTree.Element, css: str) -> None:
    """Apply ``css`` to the tree as presentation attributes, with the cascade's order: matching rules
    by specificity, then the element's ``style`` attribute (removed), then ``!important`` rules."""
    matcher = cssselect2.Matcher()
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        normal, important = [], []
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name in PRESENTATION:
                value = tinycss2.serialize(declaration.value).strip()
                (important if declaration.important else normal).append((declaration.lower_name, value))
        if not normal and not important:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.parser.SelectorError:
            continue
        for selector in selectors:
            if selector.pseudo_element is None and not selector.never_matches:
                matcher.add_selector(selector, (normal, important))
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        element = wrapper.etree_element
        matches = [payload for _specificity, _order, _pseudo, payload in matcher.match(wrapper)]
        declarations = [item for normal, _important in matches for item in normal]
        inline = element.attrib.pop("style", "")
        for declaration in tinycss2.parse_blocks_contents(inline, skip_comments=True, skip_whitespace=True):
            if declaration.type == "declaration" and declaration.lower_name in PRESENTATION:
                declarations.append((declaration.lower_name, tinycss2.serialize(declaration.value).strip()))
        declarations += [item for _normal, important in matches for item in important]
        for name, value in declarations:
            element.set(name, value)


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_on(background: str) -> str:
    return "#ffffff" if contrast("#ffffff", background) >= contrast(TEXT, background) else TEXT


MIN_LABELLED_BAR = 22  # px: a thinner bar or segment gets no printed value (its tooltip and table keep it)


def _print_values(spec: Spec, root: ElementTree.Element) -> None:
    """Each printed value in the colour that reads best on its bar, none on a bar too thin for it.

    pygal draws bar ``j`` of series ``i`` and its value text in the same order (a zero gets an empty
    text), in ``g.serie-i`` of the plot and of the text overlay."""
    horizontal = spec.kind in ("hstacked", "hbar")
    for index, series in enumerate(spec.series):
        groups = [g for g in root.iter("g") if f"serie-{index}" in g.get("class", "").split()]
        bars = [bar for g in groups for bar in g.iter("g") if "bar" in bar.get("class", "").split()]
        texts = [text for g in groups for text in g.iter("text") if "value" in text.get("class", "").split()]
        for bar, text in zip(bars, texts, strict=False):
            rect = bar.find("rect")
            if rect is None or float(rect.get("width" if horizontal else "height", "0")) < MIN_LABELLED_BAR:
                text.text = ""
            text.set("fill", _text_on(bar.get("fill") or series.color))


def _finish(spec: Spec, root: ElementTree.Element) -> ElementTree.Element:
    """pygal's tree → a self-contained, accessible SVG without script or stylesheet."""
    css = []
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            classes = child.get("class", "").split()
            if tag == "style":
                css.append(child.text or "")
                parent.remove(child)
            elif tag in ("script", "desc") or child.tag is ElementTree.Comment or "tooltip-overlay" in classes:
                parent.remove(child)
            elif tag == "title" and "guides" in parent.get("class", "").split():
                text = parent.find("text")
                if text is not None and text.text == child.text:
                    parent.remove(child)  # a tick's own label as its tooltip (kept when truncated)
    _inline_styles(root, "\n".join(css))
    if spec.kind != "line":
        _print_values(spec, root)
    for defs in root.findall("defs"):
        if not len(defs):
            root.remove(defs)
    for bar in root.iter("rect"):
        if "rect" in bar.get("class", "").split():  # a white edge between stacked segments
            bar.set("stroke", "#ffffff")
            bar.set("stroke-width", "1")
    for element in root.iter():
        if element is not root:
            element.attrib.pop("id", None)  # pygal's ids (for its script) repeat from chart to chart
    root.set("id", spec.key)
    root.set("class", "chart")
    root.set("font-family", FONT)
    root.set("role", "img")
    root.set("aria-labelledby", f"{spec.key}-title {spec.key}-desc")
    title = root.find("title")
    title.set("id", f"{spec.key}-title")
    title.text = spec.title
    desc = ElementTree.Element("desc", id=f"{spec.key}-desc")
    desc.text = spec.description
    root.insert(list(root).index(title) + 1, desc)
    return root


def render(spec: Spec) -> str:
    """The SVG markup of ``spec`` (uncached: see ``charts_for``)."""
    values = [value for series in spec.series for value in series.values if value is not None]
    if spec.kind in ("stacked", "hstacked"):
        values = [sum(v or 0 for v in column) for column in zip(*(s.values for s in spec.series), strict=True)]
    horizontal = spec.kind in ("hstacked", "hbar")
    ticks = _ticks(max(values, default=0), spec.percent)
    chart = KINDS[spec.kind](
        style=Style(**{**STYLE.to_dict(), "colors": tuple(series.color for series in spec.series)}),
        width=spec.width,
        height=_height(spec),
        explicit_size=True,
        js=[],
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=1 if horizontal else min(len(spec.series), 3),
        show_legend=len(spec.series) > 1,
        print_values=spec.kind != "line",
        print_zeroes=False,
        print_values_position="center",
        truncate_label=36 if horizontal else 28,
        x_label_rotation=15 if spec.kind == "line" else 0,
        truncate_legend=40,
        y_labels=ticks,
        range=(0, ticks[-1]),
        include_x_axis=True,
        show_x_guides=False,
        show_y_guides=True,
        dots_size=5,
        value_formatter=percent if spec.percent else number,
        no_data_text=_("Aucune donnée"),
        margin=16,
        spacing=12,
    )
    chart.add_xml_filter(lambda root: _finish(spec, root))
    # Horizontal charts draw their first label at the bottom: reversed, the first row reads at the top.
    order = list(range(len(spec.labels)))[:: -1 if horizontal else 1]
    chart.x_labels = [truncate(spec.labels[index], 40) for index in order]
    for series in spec.series:
        points = []
        for index in order:
            value = series.values[index]
            label = f"{spec.labels[index]} — {series.name} : {percent(value) if spec.percent else number(value)}"
            point = {"value": value, "tooltip": label}
            if series.colors:
                point["color"] = series.colors[index]
            points.append(point)
        chart.add(series.name, points)
    return chart.render()


def _cached(specs: list[Spec]) -> dict[str, str]:
    """key → markup, from the cache or drawn (and cached): one cache round trip for all."""
    keys = {spec.key: spec.cache_key() for spec in specs}
    found = cache.get_many(list(keys.values()))
    markup, missing = {}, {}
    for spec in specs:
        cached = found.get(keys[spec.key])
        if cached is None:
            cached = missing[keys[spec.key]] = render(spec)
        markup[spec.key] = cached
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return markup


# --- The charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    spec: Spec
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    is_empty: bool


def _status(figures: Figures, key: str) -> _Draft:
    labels = tuple(row.label for row in figures.by_status)
    on_time = tuple(row.count - row.late for row in figures.by_status)
    late = tuple(row.late for row in figures.by_status)
    parts = [
        _("%(label)s %(count)s (dont %(late)s en retard)") % {"label": r.label, "count": r.count, "late": r.late}
        if r.late
        else f"{r.label} {r.count}"
        for r in figures.by_status
    ]
    description = _("Les %(total)s actions par statut : %(parts)s.") % {
        "total": figures.total,
        "parts": ", ".join(parts),
    }
    return _Draft(
        Spec(
            key=key,
            kind="stacked",
            title=_("Actions par statut"),
            description=description,
            labels=labels,
            series=(
                Series(_("Dans les délais"), BLUE, on_time),
                Series(_("En retard"), RED, late),
            ),
            width=HALF_WIDTH,
        ),
        (_("Statut"), _("Actions"), _("Dont en retard")),
        tuple((r.label, number(r.count), number(r.late)) for r in figures.by_status),
        is_empty=not figures.total,
    )


def _health(figures: Figures, key: str) -> _Draft:
    rows = figures.by_health
    description = _("État de santé déclaré des %(total)s actions : %(parts)s.") % {
        "total": figures.total,
        "parts": ", ".join(f"{row.label.lower()} {row.count}" for row in rows),
    }
    return _Draft(
        Spec(
            key=key,
            kind="bar",
            title=_("Actions par état de santé"),
            description=description,
            labels=tuple(row.label for row in rows),
            series=(
                Series(
                    _("Actions"),
                    GREEN,
                    tuple(row.count for row in rows),
                    colors=tuple(RAG.get(row.key, GREY) for row in rows),
                ),
            ),
            width=HALF_WIDTH,
        ),
        (_("État de santé"), _("Actions")),
        tuple((row.label, number(row.count)) for row in rows),
        is_empty=not figures.total,
    )


def _buckets() -> tuple[tuple[str, str, str], ...]:
    """(GroupRow field, legend, colour) of the stacked bars, in stacking order."""
    return (
        ("done", _("Réalisées"), GREEN),
        ("in_progress", _("En cours"), BLUE),
        ("to_start", _("À lancer"), LIGHT_BLUE),
        ("stopped", _("Suspendues ou abandonnées"), GREY),
        ("late", _("En retard"), RED),
    )


def _groups(rows: tuple[GroupRow, ...], key: str, title: str, what: str) -> _Draft:
    buckets = _buckets()
    parts = [
        _("%(label)s : %(count)s, dont %(done)s réalisées et %(late)s en retard")
        % {"label": row.label, "count": row.count, "done": row.done, "late": row.late}
        for row in rows
    ]
    description = _("%(title)s, empilées par statut : %(parts)s.") % {"title": title, "parts": " ; ".join(parts)}
    return _Draft(
        Spec(
            key=key,
            kind="hstacked",
            title=title,
            description=description,
            labels=tuple(row.label for row in rows),
            series=tuple(
                Series(legend, color, tuple(getattr(row, name) for row in rows)) for name, legend, color in buckets
            ),
        ),
        (what, _("Actions"), *(legend for _name, legend, _color in buckets), _("Avancement moyen")),
        tuple(
            (
                row.label,
                number(row.count),
                *(number(getattr(row, name)) for name, _legend, _color in buckets),
                percent(row.mean_progress),
            )
            for row in rows
        ),
        is_empty=not rows,
    )


def _checkpoints(figures: Figures, key: str) -> _Draft:
    points = figures.checkpoints
    parts = [
        _("%(title)s : avancement moyen %(mean)s, %(done)s réalisées, %(late)s en retard")
        % {
            "title": point.title,
            "mean": percent(point.mean_progress),
            "done": percent(point.done_percent),
            "late": percent(point.late_percent),
        }
        for point in points
    ]
    description = (
        _("Évolution sur les derniers points d'étape clos : %(parts)s.") % {"parts": " ; ".join(parts)}
        if points
        else _("Aucun point d'étape clos pour ce projet.")
    )
    return _Draft(
        Spec(
            key=key,
            kind="line",
            title=_("Avancement au fil des points d'étape"),
            description=description,
            labels=tuple(point.title for point in points),
            series=(
                Series(_("Avancement moyen"), BLUE, tuple(point.mean_progress for point in points)),
                Series(_("Actions réalisées (%)"), GREEN, tuple(point.done_percent for point in points)),
                Series(_("Actions en retard (%)"), RED, tuple(point.late_percent for point in points)),
            ),
            percent=True,
        ),
        (_("Point d'étape"), _("Clos le"), _("Actions"), _("Avancement moyen"), _("Réalisées"), _("En retard")),
        tuple(
            (
                point.title,
                short_date(point.closed_on),
                number(point.count),
                percent(point.mean_progress),
                number(point.done),
                number(point.late),
            )
            for point in points
        ),
        is_empty=not points,
    )


def indicator_bands(figures: Figures) -> list[tuple[str, str, int]]:
    """(label, colour, count) of the indicators by share of the way from their baseline to target."""
    bands = [
        (_("Cible atteinte (100 % ou plus)"), GREEN, lambda p: p >= 100),
        (_("De 75 à 99 %"), BLUE, lambda p: 75 <= p < 100),
        (_("De 50 à 74 %"), BLUE, lambda p: 50 <= p < 75),
        (_("De 25 à 49 %"), BLUE, lambda p: 25 <= p < 50),
        (_("De 0 à 24 %"), BLUE, lambda p: 0 <= p < 25),
        (_("En recul (moins de 0 %)"), RED, lambda p: p < 0),
    ]
    measured = [line.percent for line in figures.indicators if line.percent is not None]
    result = [(label, color, sum(1 for p in measured if test(p))) for label, color, test in bands]
    result.append((_("Sans mesure, référence ou cible"), GREY, len(figures.indicators) - len(measured)))
    return result


def _indicators(figures: Figures, key: str) -> _Draft:
    bands = indicator_bands(figures) if figures.indicators else []
    description = (
        _("Les %(total)s indicateurs selon le chemin parcouru de leur valeur de référence à leur cible : %(parts)s.")
        % {"total": len(figures.indicators), "parts": ", ".join(f"{label} {count}" for label, _c, count in bands)}
        if bands
        else _("Aucun indicateur dans ce périmètre.")
    )
    return _Draft(
        Spec(
            key=key,
            kind="hbar",
            title=_("Indicateurs par rapport à leur cible"),
            description=description,
            labels=tuple(label for label, _color, _count in bands),
            series=(
                Series(
                    _("Indicateurs"),
                    BLUE,
                    tuple(count for _label, _color, count in bands),
                    colors=tuple(color for _label, color, _count in bands),
                ),
            ),
        ),
        (_("Chemin parcouru vers la cible"), _("Indicateurs")),
        tuple((label, number(count)) for label, _color, count in bands),
        is_empty=not bands,
    )


def _axes(figures: Figures, key: str) -> _Draft:
    word = figures.scope.plan.get_axis_label_display()  # the GHT's word: ambition, axe, engagement…
    return _groups(figures.by_axis, key, _("Actions par %(word)s") % {"word": word.lower()}, word)


def _filieres(figures: Figures, key: str) -> _Draft:
    return _groups(figures.by_filiere, key, _("Actions par filière"), _("Filière"))


def _charts(drafts: list[_Draft]) -> list[Chart]:
    markup = _cached([draft.spec for draft in drafts if not draft.is_empty])
    return [
        Chart(
            key=draft.spec.key,
            title=draft.spec.title,
            description=draft.spec.description,
            headers=draft.headers,
            rows=draft.rows,
            svg=SafeString(markup.get(draft.spec.key, "")),  # ElementTree escaped every text
            is_empty=draft.is_empty,
        )
        for draft in drafts
    ]


@dataclass(frozen=True)
class DashboardCharts:
    status: Chart
    health: Chart
    axes: Chart
    filieres: Chart
    checkpoints: Chart
    indicators: Chart


def _dashboard_drafts(figures: Figures) -> list[_Draft]:
    return [
        _status(figures, "graphique-statuts"),
        _health(figures, "graphique-sante"),
        _axes(figures, "graphique-axes"),
        _filieres(figures, "graphique-filieres"),
        _checkpoints(figures, "graphique-points-d-etape"),
        _indicators(figures, "graphique-indicateurs"),
    ]


def dashboard_charts(figures: Figures) -> DashboardCharts:
    """The six charts of the dashboard, fetched from the cache (or drawn) together."""
    return DashboardCharts(*_charts(_dashboard_drafts(figures)))


def forget_dashboard_charts(figures: Figures) -> None:
    """Drop the cached markup of these figures' charts (the bench times their drawing with it):
    only those keys, never the whole cache, which shares its Redis database with the job queue."""
    cache.delete_many([draft.spec.cache_key() for draft in _dashboard_drafts(figures)])
