"""The workbook format of a plan, shared by the import, the export and the downloadable template.

One definition of every sheet and column lives here, so that what the export writes is exactly what
the import reads (export → edit → import round-trips) and the « Lisez-moi » sheet documents both.
Choices are written with the French labels the app shows (« en cours », « à risque »…).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from actions.models import Action, ActionStatus, Indicator, Measurement
from filieres.models import Filiere

DATE_FORMAT = "DD/MM/YYYY"  # an Excel number format of the date cells (not a Django or strftime format)
LIST_SEPARATOR = " ; "
# A text cell starting with one of these is a formula to a spreadsheet: the export prefixes it with an
# apostrophe (CSV/Excel injection), and the import removes that apostrophe again.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

README_SHEET = "Lisez-moi"
FILIERES_SHEET = "Filières"
ACTIONS_SHEET = "Actions"
INDICATORS_SHEET = "Indicateurs"
MEASUREMENTS_SHEET = "Mesures"


def norm(value: str) -> str:
    """Comparison key for names typed by people: no accents, no case, one kind of apostrophe and space."""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = value.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(value.casefold().split())


def first_lower(label: str) -> str:
    """« En cours » → « en cours », but « FIR (…) » stays: labels read as in a sentence."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


# Labels written in the cells and accepted on import, per field (value → label).
STATUS_LABELS = {value: first_lower(str(label)) for value, label in ActionStatus.choices}
HEALTH_LABELS = {value: first_lower(str(label)) for value, label in Action.Health.choices}
PRIORITY_LABELS = {value: first_lower(str(label)) for value, label in Action.Priority.choices}
FUNDING_LABELS = {value: first_lower(str(label)) for value, label in Action.FundingSource.choices}
FILIERE_KIND_LABELS = {Filiere.Kind.MEDICAL: "médicale", Filiere.Kind.SUPPORT: "support"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: str
    required: bool = False
    choices: dict[str, str] | None = None
    width: int = 18
    kind: str = "text"  # text, date, integer, decimal, list


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    help: str

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


FILIERES = Sheet(
    FILIERES_SHEET,
    (
        Column("code", "Code", "Abréviation unique dans le GHT, par exemple « GER ».", required=True, width=10),
        Column("name", "Nom", "Nom de la filière (obligatoire pour une nouvelle filière).", width=36),
        Column(
            "kind",
            "Type",
            "« médicale » ou « support » (fonction support ou transversale).",
            choices=FILIERE_KIND_LABELS,
        ),
        Column("description", "Description", "Texte libre.", width=50),
        Column(
            "establishments",
            "Établissements concernés",
            "Noms des établissements du GHT, séparés par « ; ».",
            width=50,
            kind="list",
        ),
    ),
    "Optionnelle. Une ligne par filière ; une filière existante (même code) est mise à jour.",
)

ACTIONS = Sheet(
    ACTIONS_SHEET,
    (
        Column(
            "axis_number",
            "Axe n°",
            "Numéro de l'axe (ambition, engagement…) dans le projet.",
            True,
            width=8,
            kind="integer",
        ),
        Column("axis_title", "Axe intitulé", "Obligatoire pour un nouvel axe ; sinon met à jour l'intitulé.", width=36),
        Column(
            "objective_code", "Objectif code", "Par exemple « 1.2 ». Code ou intitulé de l'objectif requis.", width=10
        ),
        Column("objective_title", "Objectif intitulé", "Obligatoire pour un nouvel objectif.", width=40),
        Column("code", "Code action", "Unique dans le projet, par exemple « FMS-3 » ou « 12 ».", True, width=10),
        Column("title", "Intitulé", "Intitulé de l'action (300 caractères au plus).", True, width=50),
        Column("description", "Description", "Texte libre.", width=50),
        Column("filieres", "Filières", "Codes des filières, séparés par « ; ».", width=14, kind="list"),
        Column("lead_establishment", "Établissement pilote", "Nom d'un établissement du GHT.", width=30),
        Column(
            "establishments",
            "Établissements associés",
            "Noms d'établissements du GHT, séparés par « ; ».",
            width=30,
            kind="list",
        ),
        Column("owner", "Responsable", "Adresse e-mail d'un membre du GHT.", width=30),
        Column(
            "contributors",
            "Contributeurs",
            "Adresses e-mail de membres du GHT, séparées par « ; ».",
            width=30,
            kind="list",
        ),
        Column(
            "priority",
            "Priorité",
            "Vide : inchangée (« moyenne » pour une nouvelle action).",
            choices=PRIORITY_LABELS,
            width=12,
        ),
        Column("start_date", "Début", "Date au format JJ/MM/AAAA.", width=12, kind="date"),
        Column("due_date", "Échéance", "Date au format JJ/MM/AAAA, pas avant le début.", width=12, kind="date"),
        Column(
            "status",
            "Statut",
            "Vide : inchangé (« à lancer » pour une nouvelle action). « En retard » se "
            "calcule d'après l'échéance : ce n'est pas un statut.",
            choices=STATUS_LABELS,
            width=14,
        ),
        Column(
            "done_on",
            "Réalisée le",
            "Date de réalisation, pour une action réalisée (JJ/MM/AAAA). Vide : inconnue, ou le jour où "
            "l'import la fait passer à « réalisée ».",
            width=12,
            kind="date",
        ),
        Column(
            "stopped_on",
            "Arrêtée le",
            "Date de suspension ou d'abandon, pour une action suspendue ou abandonnée (JJ/MM/AAAA).",
            width=12,
            kind="date",
        ),
        Column(
            "health",
            "Santé",
            "Vide : inchangée (« en bonne voie » pour une nouvelle action).",
            choices=HEALTH_LABELS,
            width=14,
        ),
        Column(
            "progress",
            "Avancement (%)",
            "Nombre entier de 0 à 100. Vide : inchangé (0 pour une nouvelle action).",
            width=10,
            kind="integer",
        ),
        Column(
            "prs_references",
            "Références PRS",
            "Objectifs du PRS, par exemple « E1D2O1 ; E2D1O3 ».",
            width=16,
            kind="list",
        ),
        Column("funding_source", "Financement", "Source du financement.", choices=FUNDING_LABELS, width=20),
        Column("funding_amount", "Montant (€)", "Montant en euros, positif ou nul.", width=12, kind="decimal"),
    ),
    "Obligatoire. Une ligne par action ; une action existante (même code dans le projet) est mise à jour. "
    "Les axes sont reconnus par leur numéro, les objectifs par leur code (ou, sans code, par leur intitulé).",
)

INDICATORS = Sheet(
    INDICATORS_SHEET,
    (
        Column(
            "action_code", "Code action", "Code d'une action du projet ou de la feuille « Actions ».", True, width=12
        ),
        Column("name", "Indicateur", "Nom de l'indicateur, unique pour une action.", True, width=40),
        Column("unit", "Unité", "Par exemple « % » ou « patients ».", width=14),
        Column("baseline", "Valeur de référence", "Nombre.", width=12, kind="decimal"),
        Column("target", "Cible", "Nombre.", width=12, kind="decimal"),
        Column("target_date", "Date cible", "Date au format JJ/MM/AAAA.", width=12, kind="date"),
    ),
    "Optionnelle. Un indicateur est reconnu par le code de son action et son nom.",
)

MEASUREMENTS = Sheet(
    MEASUREMENTS_SHEET,
    (
        Column("action_code", "Code action", "Code de l'action de l'indicateur.", True, width=12),
        Column(
            "indicator",
            "Indicateur",
            "Nom de l'indicateur (existant ou de la feuille « Indicateurs »).",
            True,
            width=40,
        ),
        Column("measured_on", "Date", "Date de la mesure, au format JJ/MM/AAAA.", True, width=12, kind="date"),
        Column("value", "Valeur", "Nombre.", True, width=12, kind="decimal"),
        Column("comment", "Commentaire", "Texte libre.", width=40),
    ),
    "Optionnelle. Une mesure est reconnue par son indicateur et sa date.",
)

SHEETS = (FILIERES, ACTIONS, INDICATORS, MEASUREMENTS)
SHEETS_BY_KEY = {norm(sheet.name): sheet for sheet in SHEETS}


# --- Writing --------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Prefix a text that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def cell_value(value):
    if value is None:
        return None
    if isinstance(value, str):
        return neutralise(value) if value else None
    if isinstance(value, list | tuple):
        return neutralise(LIST_SEPARATOR.join(str(item) for item in value)) if value else None
    return value


def _decimal(value: Decimal | None):
    """Whole numbers as integers, others as they are: what a person would have typed."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def _add_sheet(workbook: Workbook, sheet: Sheet, rows: Iterable[dict], *, validations: bool) -> None:
    worksheet = workbook.create_sheet(sheet.name)
    worksheet.append([column.header for column in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"
    for row in rows:
        worksheet.append([cell_value(row.get(column.key)) for column in sheet.columns])
    last_row = worksheet.max_row
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "date" and last_row > 1:
            for (cell,) in worksheet.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index):
                cell.number_format = DATE_FORMAT
        if validations and column.choices:
            allowed = ",".join(column.choices.values())
            validation = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
            validation.error = f"Valeurs admises : {', '.join(column.choices.values())}."
            validation.errorTitle = column.header
            validation.add(f"{letter}2:{letter}5001")
            worksheet.add_data_validation(validation)
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(last_row, 2)}"


def _add_readme(workbook: Workbook, references: dict[str, Sequence[str]] | None) -> None:
    worksheet = workbook.create_sheet(README_SHEET, 0)
    worksheet.column_dimensions["A"].width = 26
    worksheet.column_dimensions["B"].width = 30
    worksheet.column_dimensions["C"].width = 90
    lines: list[tuple] = [
        ("Import d'un projet médico-soignant partagé",),
        (),
        (
            "Ce classeur se dépose sur la page « Importer un plan » du portail, ou par la commande "
            "manage.py import_plan. L'import est d'abord simulé : rien n'est enregistré tant que l'aperçu "
            "n'est pas confirmé, et la moindre erreur annule tout l'import.",
        ),
        (
            "Une ligne dont le code existe déjà est mise à jour ; réimporter le même fichier ne change rien. "
            "L'import ne supprime jamais rien.",
        ),
        (
            "Dates au format JJ/MM/AAAA (ou cellules de type date). Listes séparées par « ; ». Les formules "
            "sont refusées : saisissez les valeurs. Une apostrophe placée devant un texte commençant par "
            "=, +, - ou @ est retirée à l'import.",
        ),
        (
            "Un fichier CSV (UTF-8, séparateur « ; » ou « , ») est accepté pour la seule feuille « Actions », "
            "avec les mêmes en-têtes.",
        ),
        (),
        ("Feuille", "Colonne", "Signification et valeurs admises"),
    ]
    for sheet in SHEETS:
        lines.append((sheet.name, "", sheet.help))
        for column in sheet.columns:
            meaning = column.help
            if column.choices:
                meaning += " Valeurs admises : " + ", ".join(f"« {label} »" for label in column.choices.values()) + "."
            lines.append(("", column.header + (" *" if column.required else ""), meaning))
    lines.append(("", "* : colonne obligatoire.", ""))
    for title, values in (references or {}).items():
        lines.extend([(), (title, "", LIST_SEPARATOR.join(values) or "—")])
    for line in lines:
        worksheet.append([cell_value(value) for value in line])
    worksheet["A1"].font = Font(bold=True, size=14)
    for row in worksheet.iter_rows(min_row=1, max_row=worksheet.max_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.value in ("Feuille", "Colonne", "Signification et valeurs admises"):
                cell.font = Font(bold=True)


def write_workbook(
    sheets: dict[str, list[dict]],
    *,
    references: dict[str, Sequence[str]] | None = None,
    validations: bool = True,
) -> bytes:
    """A workbook of the format from rows keyed by column key (``{ACTIONS_SHEET: [{"code": …}, …]}``).

    The Actions sheet is always written; the other data sheets only when given.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_readme(workbook, references)
    for sheet in SHEETS:
        if sheet.name in sheets or sheet is ACTIONS:
            _add_sheet(workbook, sheet, sheets.get(sheet.name, []), validations=validations)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_bytes(ght) -> bytes:
    """The empty, documented workbook, with the GHT's establishments, filières and members as reminders."""
    from ght_portal.models import Establishment, Membership
    from ght_portal.tenancy import scoped

    references = {
        "Établissements du GHT": list(scoped(Establishment, ght).in_ght_order().values_list("name", flat=True)),
        "Filières du GHT (codes)": list(scoped(Filiere, ght).order_by("code").values_list("code", flat=True)),
        "Membres (e-mails)": list(
            scoped(Membership, ght).active().order_by("user__email").values_list("user__email", flat=True)
        ),
    }
    empty = {sheet.name: [] for sheet in SHEETS}
    return write_workbook(empty, references=references)


# --- Export ---------------------------------------------------------------------------------------


def action_row(action: Action) -> dict:
    """The « Actions » row of an action; expects the relations of ``export_queryset`` to be loaded."""
    objective = action.objective
    axis = objective.axis if objective else None
    return {
        "axis_number": axis.position if axis else None,
        "axis_title": axis.title if axis else None,
        "objective_code": objective.code if objective else None,
        "objective_title": objective.title if objective else None,
        "code": action.code,
        "title": action.title,
        "description": action.description,
        "filieres": sorted(filiere.code for filiere in action.filieres.all()),
        "lead_establishment": action.lead_establishment.name if action.lead_establishment else None,
        "establishments": sorted(establishment.name for establishment in action.establishments.all()),
        "owner": action.owner.email if action.owner else None,
        "contributors": sorted(user.email for user in action.contributors.all()),
        "priority": PRIORITY_LABELS.get(action.priority),
        "start_date": action.start_date,
        "due_date": action.due_date,
        "status": STATUS_LABELS.get(action.status),
        "done_on": action.done_on,
        "stopped_on": action.stopped_on,
        "health": HEALTH_LABELS.get(action.health),
        "progress": action.progress,
        "prs_references": list(action.prs_references),
        "funding_source": FUNDING_LABELS.get(action.funding_source),
        "funding_amount": _decimal(action.funding_amount),
    }


def export_queryset(queryset: QuerySet) -> QuerySet:
    """The actions with everything the export reads, in a fixed number of queries."""
    return queryset.select_related("objective__axis", "lead_establishment", "owner").prefetch_related(
        "filieres",
        "establishments",
        "contributors",
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("id").prefetch_related(
                Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"))
            ),
        ),
    )


def export_actions(queryset: QuerySet) -> bytes:
    """The actions of ``queryset`` (already scoped to one GHT by the caller) as an importable workbook.

    Writes the « Actions » sheet in the import's columns, plus the filières, indicators and
    measurements of those actions, so that export → edit → import round-trips. Cells that a
    spreadsheet would run as formulas are neutralised.
    """
    actions = list(export_queryset(queryset).order_by("plan_id", "code"))
    filieres: dict[int, Filiere] = {}
    indicator_rows, measurement_rows = [], []
    for action in actions:
        for filiere in action.filieres.all():
            filieres[filiere.pk] = filiere
        for indicator in action.indicators.all():
            indicator_rows.append(
                {
                    "action_code": action.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "baseline": _decimal(indicator.baseline),
                    "target": _decimal(indicator.target),
                    "target_date": indicator.target_date,
                }
            )
            for measurement in indicator.measurements.all():
                measurement_rows.append(
                    {
                        "action_code": action.code,
                        "indicator": indicator.name,
                        "measured_on": measurement.measured_on,
                        "value": _decimal(measurement.value),
                        "comment": measurement.comment,
                    }
                )
    filiere_rows = []
    if filieres:
        chosen = Filiere.objects.filter(pk__in=filieres).prefetch_related("establishments").order_by("code")
        filiere_rows = [
            {
                "code": filiere.code,
                "name": filiere.name,
                "kind": FILIERE_KIND_LABELS.get(filiere.kind),
                "description": filiere.description,
                "establishments": sorted(establishment.name for establishment in filiere.establishments.all()),
            }
            for filiere in chosen
        ]
    return write_workbook(
        {
            FILIERES_SHEET: filiere_rows,
            ACTIONS_SHEET: [action_row(action) for action in actions],
            INDICATORS_SHEET: indicator_rows,
            MEASUREMENTS_SHEET: measurement_rows,
        }
    )
