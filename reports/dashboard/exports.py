"""Excel export of the dashboard: every table of the page, for the same scope, from the same
``Figures`` — so the workbook, the page and the PDF never disagree.

Cells go through ``actions.spreadsheet.workbook.cell_value``: a text that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``…) is neutralised, as in the action export.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from actions.spreadsheet.workbook import DATE_FORMAT, HEADER_FILL, HEADER_FONT, LIST_SEPARATOR, cell_value
from reports.figures import ActionLine, Figures, GroupRow

WIDE = 50  # columns of free text (titles, blocking points)


def _cell(worksheet, value, *, header: bool = False):
    """A write-only cell: bold on blue for a header, dates shown as dates, formulas neutralised."""
    cell = WriteOnlyCell(worksheet, value=cell_value(value))
    if header:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    return cell


def _sheet(workbook: Workbook, name: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]):
    """One table: header on the first row (frozen, filterable). Written in openpyxl's write-only
    mode, which streams the rows (twice as fast as the default mode for the 600-action sheets)."""
    worksheet = workbook.create_sheet(name)
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.append([_cell(worksheet, header, header=True) for header in headers])
    count = 1
    for row in rows:
        worksheet.append([_cell(worksheet, value) for value in row])
        count += 1
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(count, 2)}"
    return worksheet


def _group_sheet(workbook: Workbook, name: str, first: str, rows: Iterable[GroupRow]) -> None:
    headers = (
        first,
        _("Actions"),
        _("Réalisées"),
        _("En cours"),
        _("À lancer"),
        _("Suspendues ou abandonnées"),
        _("En retard"),
        _("À risque"),
        _("Avancement moyen (%)"),
    )
    values = (
        (r.label, r.count, r.done, r.in_progress, r.to_start, r.stopped, r.late, r.at_risk, r.mean_progress)
        for r in rows
    )
    _sheet(workbook, name, headers, values, (WIDE, 10, 10, 10, 10, 14, 10, 10, 12))


def _action_sheet(workbook: Workbook, name: str, lines: Iterable[ActionLine]) -> None:
    headers = (
        _("Code"),
        _("Intitulé"),
        _("Axe"),
        _("Filières"),
        _("Responsable"),
        _("Statut"),
        _("En retard"),
        _("État de santé"),
        _("Avancement (%)"),
        _("Échéance"),
        _("Points de blocage"),
        _("Prochaines étapes"),
        _("Réalisée le"),
        _("Suspendue ou abandonnée le"),
    )
    values = (
        (
            line.code,
            line.title,
            line.axis_label,
            LIST_SEPARATOR.join(line.filiere_codes),
            line.owner_name,
            line.status_label,
            _("oui") if line.is_late else _("non"),
            line.health_label,
            line.progress,
            line.due_date,
            line.blocking_points,
            line.next_steps,
            line.done_on,
            line.stopped_on,
        )
        for line in lines
    )
    _sheet(workbook, name, headers, values, (10, WIDE, 30, 14, 24, 12, 10, 14, 12, 12, WIDE, WIDE, 12, 14))


def _summary(workbook: Workbook, figures: Figures) -> None:
    worksheet = workbook.create_sheet(_("Synthèse"))
    worksheet.column_dimensions["A"].width = 28
    worksheet.column_dimensions["B"].width = 80
    lines = [
        (_("Tableau de bord du GHT"), figures.scope.ght.name),
        (_("Source des chiffres"), figures.source_label),
        (_("Périmètre"), figures.scope_label),
        (_("Date des données"), figures.as_of),
        (_("Actions"), figures.total),
        (_("Réalisées"), figures.done),
        (_("En retard"), figures.late),
        (_("En cours dans les délais"), figures.in_progress),
        (_("À lancer"), figures.to_start),
        (_("Suspendues ou abandonnées"), figures.stopped),
        (_("À risque ou en difficulté"), figures.at_risk),
        (_("Dont aussi en retard"), figures.at_risk_late),
        (_("Réalisées sans date connue"), len(figures.done_date_unknown)),
        (_("Avancement moyen (%)"), figures.mean_progress),
    ]
    for label, value in lines:
        first = WriteOnlyCell(worksheet, value=cell_value(label))
        first.font = Font(bold=True)
        second = _cell(worksheet, value)
        second.alignment = Alignment(horizontal="left")
        worksheet.append([first, second])


def dashboard_workbook(figures: Figures) -> bytes:
    """The workbook: a summary, then one sheet per table of the dashboard, and every action."""
    workbook = Workbook(write_only=True)
    _summary(workbook, figures)
    _sheet(
        workbook,
        _("Par statut"),
        (_("Statut"), _("Actions"), _("Dont en retard")),
        ((row.label, row.count, row.late) for row in figures.by_status),
        (20, 10, 14),
    )
    _sheet(
        workbook,
        _("Par état de santé"),
        (_("État de santé"), _("Actions")),
        ((row.label, row.count) for row in figures.by_health),
        (20, 10),
    )
    _group_sheet(workbook, _("Par axe"), _("Axe"), figures.by_axis)
    _group_sheet(workbook, _("Par filière"), _("Filière"), figures.by_filiere)
    _action_sheet(workbook, _("En retard"), figures.late_actions)
    _action_sheet(workbook, _("À risque"), figures.at_risk_actions)
    _action_sheet(workbook, _("Échéances à 90 jours"), figures.upcoming)
    _sheet(
        workbook,
        _("Points d'étape"),
        (_("Point d'étape"), _("Clos le"), _("Actions"), _("Avancement moyen (%)"), _("Réalisées"), _("En retard")),
        ((p.title, p.closed_on, p.count, p.mean_progress, p.done, p.late) for p in figures.checkpoints),
        (36, 12, 10, 12, 10, 10),
    )
    _sheet(
        workbook,
        _("Indicateurs"),
        (
            _("Code action"),
            _("Action"),
            _("Indicateur"),
            _("Unité"),
            _("Valeur de référence"),
            _("Cible"),
            _("Date cible"),
            _("Dernière valeur"),
            _("Mesurée le"),
            _("Chemin parcouru vers la cible (%)"),
        ),
        (
            (
                line.action_code,
                line.action_title,
                line.name,
                line.unit,
                line.baseline,
                line.target,
                line.target_date,
                line.value,
                line.measured_on,
                line.percent,
            )
            for line in figures.indicators
        ),
        (10, WIDE, 36, 10, 12, 10, 12, 12, 12, 14),
    )
    _action_sheet(workbook, _("Toutes les actions"), figures.actions)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
