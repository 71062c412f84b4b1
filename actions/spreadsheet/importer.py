"""Import of a plan from a workbook (or a CSV of its « Actions » sheet): dry run, then all or nothing.

``import_plan_file`` is the one entry point of the web upload, ``manage.py import_plan`` and
``load_demo``. It first checks the file itself (size, magic bytes, uncompressed size, rows) before
any parsing, then runs every row inside one transaction, collecting for each bad cell its sheet,
row, column and a French explanation. The transaction is rolled back on a dry run or on any error,
so nothing is ever half-imported; when it commits, only rows that really differ were saved (no
new history rows for an unchanged file) and every updated action's ``version`` was bumped, so an
edit form opened before the import is refused rather than silently overwriting it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import ParseError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from actions.models import Action, Axis, Indicator, Measurement, Objective, Plan, status_date_errors
from actions.services import set_relations
from actions.spreadsheet.workbook import (
    ACTIONS,
    FILIERES,
    FORMULA_PREFIXES,
    INDICATORS,
    MEASUREMENTS,
    README_SHEET,
    SHEETS_BY_KEY,
    Column,
    Sheet,
    norm,
)
from actions.validators import validate_prs_reference
from filieres.models import Filiere
from ght_portal.formats import short_date
from ght_portal.models import Establishment
from ght_portal.tenancy import member_users, scoped

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_ROWS = 5000
MAX_COLUMNS = 60
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

KIND_LABELS = {
    "filiere": gettext_lazy("Filières"),
    "axis": gettext_lazy("Axes"),
    "objective": gettext_lazy("Objectifs"),
    "action": gettext_lazy("Actions"),
    "indicator": gettext_lazy("Indicateurs"),
    "measurement": gettext_lazy("Mesures"),
}


class FileRefused(Exception):
    """The file itself is refused (too big, not a workbook…): nothing of it was read."""


class CellError(Exception):
    """One cell's value is wrong; the message says why, in French."""


class _Rollback(Exception):
    pass


@dataclass
class Problem:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    letter: str = ""

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("feuille « %(sheet)s »") % {"sheet": self.sheet})
        if self.row:
            parts.append(_("ligne %(row)s") % {"row": self.row})
        if self.column:
            column = _("colonne « %(column)s »") % {"column": self.column}
            parts.append(f"{column} ({self.letter})" if self.letter else column)
        return ", ".join(parts)

    def __str__(self) -> str:
        location = self.location
        return f"{location[:1].upper()}{location[1:]} : {self.message}" if location else self.message


@dataclass
class Change:
    kind: str
    created: bool
    label: str
    fields: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class ImportReport:
    plan: Plan
    file_kind: str = ""
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> list[dict]:
        """Creations and updates per kind, in the order of the tree (every kind listed)."""
        created, updated = defaultdict(int), defaultdict(int)
        for change in self.changes:
            (created if change.created else updated)[change.kind] += 1
        return [
            {"kind": kind, "label": label, "created": created[kind], "updated": updated[kind]}
            for kind, label in KIND_LABELS.items()
        ]


# --- Reading the file (no trust in its name or its content) -----------------------------------


@dataclass
class SheetRows:
    sheet: Sheet
    title: str
    present: set[str] = field(default_factory=set)
    letters: dict[str, str] = field(default_factory=dict)
    mapping: dict[int, str] = field(default_factory=dict)  # position in the row → column key
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Book:
    kind: str
    sheets: dict[str, SheetRows] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _map_headers(sheet: Sheet, title: str, headers: list, book: Book) -> SheetRows | None:
    by_key = {norm(column.header): column for column in sheet.columns}
    result = SheetRows(sheet=sheet, title=title)
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        if _blank(header):
            continue
        letter = get_column_letter(index + 1)
        column = by_key.get(norm(str(header)).rstrip("* ").strip())
        if column is None:
            known = ", ".join(f"« {c.header} »" for c in sheet.columns)
            message = _("colonne inconnue « %(header)s » (colonnes attendues : %(known)s).")
            book.problems.append(Problem(message % {"header": header, "known": known}, title, 1, str(header), letter))
        elif column.key in result.present:
            message = _("la colonne « %(header)s » figure deux fois.")
            book.problems.append(Problem(message % {"header": column.header}, title, 1, column.header, letter))
        else:
            mapping[index] = column.key
            result.present.add(column.key)
            result.letters[column.key] = letter
    missing = [column.header for column in sheet.columns if column.required and column.key not in result.present]
    if sheet is ACTIONS and not {"objective_code", "objective_title"} & result.present:
        missing.append(_("Objectif code ou Objectif intitulé"))
    if missing:
        message = _("colonnes obligatoires absentes : %(columns)s.")
        book.problems.append(Problem(message % {"columns": ", ".join(f"« {m} »" for m in missing)}, title, 1))
        return None
    result.mapping = mapping
    return result


FORMULA_KEYS = "__formulas__"  # in a row's values: the keys of its refused formula cells


def _add_row(result: SheetRows, number: int, raw: list, book: Book, *, formulas: set[int]) -> None:
    values: dict[str, Any] = {FORMULA_KEYS: {result.mapping[index] for index in formulas}}
    for index, key in result.mapping.items():
        value = raw[index] if index < len(raw) else None
        if index in formulas:
            column = result.sheet.column(key)
            message = _("formule refusée (« %(formula)s ») : saisissez la valeur elle-même.")
            book.problems.append(
                Problem(message % {"formula": value}, result.title, number, column.header, result.letters[key])
            )
            value = None
        values[key] = value
    if all(_blank(value) for key, value in values.items() if key != FORMULA_KEYS) and not formulas:
        return
    if len(result.rows) >= MAX_ROWS:
        raise FileRefused(
            _("La feuille « %(sheet)s » dépasse %(max)s lignes : découpez le fichier.")
            % {"sheet": result.title, "max": MAX_ROWS}
        )
    result.rows.append((number, values))


def _read_xlsx(data: bytes) -> Book:
    not_a_workbook = _("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise FileRefused(not_a_workbook) from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise FileRefused(not_a_workbook)
        if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
            raise FileRefused(
                _("Le classeur décompressé dépasserait %(max)s Mo : il est refusé.")
                % {"max": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
            )
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise FileRefused(_("Le classeur est chiffré : enregistrez-le sans mot de passe."))
        if "xl/workbook.xml" not in {entry.filename for entry in entries}:
            raise FileRefused(not_a_workbook)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, KeyError, ValueError, TypeError, ParseError, zipfile.BadZipFile) as error:
        raise FileRefused(not_a_workbook) from error
    book = Book(kind="xlsx")
    try:
        for worksheet in workbook.worksheets:
            sheet = SHEETS_BY_KEY.get(norm(worksheet.title))
            if sheet is None:
                if norm(worksheet.title) != norm(README_SHEET):
                    book.ignored.append(worksheet.title)
                continue
            worksheet.reset_dimensions()  # a wrong <dimension> must not hide rows; MAX_ROWS bounds them
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
            header = next(rows, None)
            result = _map_headers(sheet, worksheet.title, [cell.value for cell in header or ()], book)
            if result is None:
                continue
            width = max(result.mapping) + 1
            for number, cells in enumerate(rows, start=2):
                cells = cells[:width]
                formulas = {
                    i for i, cell in enumerate(cells) if getattr(cell, "data_type", None) == "f" and i in result.mapping
                }
                _add_row(result, number, [cell.value for cell in cells], book, formulas=formulas)
            book.sheets[sheet.name] = result
    except (ValueError, TypeError, ParseError, KeyError) as error:
        raise FileRefused(not_a_workbook) from error
    finally:
        workbook.close()
    return book


def _read_csv(data: bytes) -> Book:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            _("Le fichier CSV doit être encodé en UTF-8 (dans Excel : « CSV UTF-8 (délimité par des virgules) »).")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    book = Book(kind="csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        result = _map_headers(ACTIONS, ACTIONS.name, header[:MAX_COLUMNS], book)
        if result is None:
            return book
        for raw in reader:
            number = reader.line_num
            # In a CSV every cell is text: one starting with "=" was typed as a formula.
            formulas = {i for i, value in enumerate(raw) if value.startswith("=") and i in result.mapping}
            _add_row(result, number, raw, book, formulas=formulas)
    except csv.Error as error:
        raise FileRefused(_("Le fichier CSV est mal formé : %(error)s.") % {"error": error}) from error
    book.sheets[ACTIONS.name] = result
    return book


def read_upload(data: bytes, filename: str = "") -> Book:
    """Check the file and read its rows; the name is only a hint, the bytes decide."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(_("Le fichier dépasse la taille maximale de 5 Mo."))
    if not data.strip():
        raise FileRefused(_("Le fichier est vide."))
    lower = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _("Ancien format Excel (.xls) ou classeur protégé : enregistrez-le au format .xlsx sans mot de passe.")
        )
    if lower.endswith((".xlsx", ".xlsm", ".xls")) or b"\x00" in data:
        raise FileRefused(_("Ce fichier n'est pas un classeur Excel (.xlsx) valide : son contenu n'en est pas un."))
    return _read_csv(data)


# --- Cell values -------------------------------------------------------------------------------


def text_value(value) -> str:
    """Text of a cell, trimmed; the apostrophe the export puts before =, +, -, @ is removed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return short_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text


def date_value(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_value(value)
    if not text:
        return None
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    raise CellError(_("date invalide « %(value)s » : attendu JJ/MM/AAAA, par exemple 31/12/2026.") % {"value": text})


def decimal_value(value, *, max_digits: int = 14, places: int = 4) -> Decimal | None:
    if isinstance(value, bool):
        raise CellError(_("nombre attendu."))
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = text_value(value)
        if not text:
            return None
        cleaned = re.sub(r"[\s\u00a0\u202f€%]", "", text).replace(",", ".")
        try:
            number = Decimal(cleaned)
        except InvalidOperation as error:
            raise CellError(_("nombre attendu, et non « %(value)s ».") % {"value": text}) from error
    if not number.is_finite():
        raise CellError(_("nombre attendu."))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise CellError(_("au plus %(places)s décimales.") % {"places": places})
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise CellError(_("nombre trop grand."))
    return number


def integer_value(value, *, minimum: int, maximum: int) -> int | None:
    number = decimal_value(value, places=4)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("nombre entier attendu."))
    if not minimum <= number <= maximum:
        raise CellError(
            _("%(value)s est hors des limites (de %(min)s à %(max)s).")
            % {"value": int(number), "min": minimum, "max": maximum}
        )
    return int(number)


def choice_value(value, labels: dict[str, str]) -> str | None:
    text = text_value(value)
    if not text:
        return None
    wanted = norm(text)
    for code, label in labels.items():
        if wanted in {norm(label), norm(code), norm(label.split(" (")[0])}:
            return code
    allowed = ", ".join(f"« {label} »" for label in labels.values())
    raise CellError(
        _("valeur « %(value)s » inconnue ; valeurs admises : %(allowed)s.") % {"value": text, "allowed": allowed}
    )


def list_value(value, *, commas: bool = False) -> list[str]:
    text = text_value(value)
    parts = re.split(r"[;,]" if commas else ";", text)
    return [part.strip() for part in parts if part.strip()]


def check_length(text: str, model, field_name: str) -> str:
    limit = model._meta.get_field(field_name).max_length
    if limit and len(text) > limit:
        raise CellError(_("%(length)s caractères : %(max)s au plus.") % {"length": len(text), "max": limit})
    return text


# --- The import itself -------------------------------------------------------------------------


class RowContext:
    """Parses the cells of one row, recording a Problem per bad cell."""

    def __init__(self, importer: PlanImporter, rows: SheetRows, number: int, values: dict):
        self.importer, self.rows, self.number, self.values = importer, rows, number, values
        self.formulas: set[str] = values.get(FORMULA_KEYS, set())  # already reported
        self.failed = bool(self.formulas)

    def has(self, key: str) -> bool:
        return key in self.rows.present

    def error(self, key: str | None, message: str) -> None:
        self.failed = True
        column: Column | None = self.rows.sheet.column(key) if key else None
        self.importer.report.problems.append(
            Problem(
                message,
                self.rows.title,
                self.number,
                column.header if column else "",
                self.rows.letters.get(key, "") if key else "",
            )
        )

    def get(self, key: str, parse=text_value, **kwargs):
        if key in self.formulas:
            return None
        try:
            return parse(self.values.get(key), **kwargs)
        except CellError as error:
            self.error(key, str(error))
            return None

    def text(self, key: str, model=None, field_name: str = "", *, required: bool = False) -> str:
        text = self.get(key) or ""
        if required and not text and key not in self.formulas:
            self.error(key, _("valeur obligatoire."))
        elif text and model is not None:
            try:
                check_length(text, model, field_name)
            except CellError as error:
                self.error(key, str(error))
        return text


class PlanImporter:
    def __init__(self, *, ght, plan: Plan, acting_user, report: ImportReport):
        self.ght, self.plan, self.acting_user, self.report = ght, plan, acting_user, report
        self.establishments = {norm(e.name): e for e in scoped(Establishment, ght)}
        self.members = {user.email.lower(): user for user in member_users(ght)}
        self.filieres = {norm(f.code): f for f in scoped(Filiere, ght).prefetch_related("establishments")}
        self.axes = {axis.position: axis for axis in scoped(Axis, ght).filter(plan=plan)}
        objectives = list(scoped(Objective, ght).filter(axis__plan=plan).select_related("axis"))
        self.objectives_by_code: dict[str, list[Objective]] = defaultdict(list)
        self.objectives_by_title: dict[tuple, Objective] = {}
        self.next_position: dict[int, int] = defaultdict(lambda: 1)
        for objective in objectives:
            self._remember_objective(objective)
        self.actions = {
            action.code: action
            # Locked until the import ends: a concurrent edit waits, then finds its version stale.
            for action in scoped(Action, ght)
            .filter(plan=plan)
            .select_for_update(of=("self",))
            .select_related("objective__axis")
            .prefetch_related("filieres", "establishments", "contributors")
        }
        self.indicators = {
            (indicator.action.code, norm(indicator.name)): indicator
            for indicator in scoped(Indicator, ght).filter(action__plan=plan).select_related("action")
        }
        self.measurements = {
            (measurement.indicator_id, measurement.measured_on): measurement
            for measurement in scoped(Measurement, ght).filter(indicator__action__plan=plan)
        }
        self.seen: dict[tuple, int] = {}
        self.axis_titles: dict[int, tuple[str, int]] = {}
        self.objective_rows: dict[tuple, tuple[int | None, str, int]] = {}

    # helpers

    def _remember_objective(self, objective: Objective) -> None:
        if objective.code:
            self.objectives_by_code[norm(objective.code)].append(objective)
        self.objectives_by_title[(objective.axis_id, norm(objective.title))] = objective
        self.next_position[objective.axis_id] = max(self.next_position[objective.axis_id], objective.position + 1)

    def _save(self, instance, kind: str, label: str, fields: list[str] | None = None) -> None:
        instance._history_user = self.acting_user
        instance.save()
        self.report.changes.append(Change(kind, fields is None, label, fields or []))

    def _first_time(self, ctx: RowContext, key_column: str, key: tuple, shown: str) -> bool:
        """False (and an error) when the same key was already on an earlier row of the sheet."""
        earlier = self.seen.get((ctx.rows.sheet.name, *key))
        if earlier is not None:
            message = _("« %(key)s » figure déjà à la ligne %(row)s de cette feuille.")
            ctx.error(key_column, message % {"key": shown, "row": earlier})
            return False
        self.seen[(ctx.rows.sheet.name, *key)] = ctx.number
        return True

    def _establishment(self, ctx: RowContext, key: str, name: str) -> Establishment | None:
        found = self.establishments.get(norm(name))
        if found is None:
            ctx.error(key, _("établissement inconnu dans ce GHT : « %(name)s ».") % {"name": name})
        return found

    def _member(self, ctx: RowContext, key: str, email: str):
        found = self.members.get(email.strip().lower())
        if found is None:
            ctx.error(key, _("« %(email)s » n'est l'adresse d'aucun membre actif du GHT.") % {"email": email})
        return found

    def _filiere(self, ctx: RowContext, key: str, code: str) -> Filiere | None:
        found = self.filieres.get(norm(code))
        if found is None:
            ctx.error(key, _("filière inconnue dans ce GHT : « %(code)s ».") % {"code": code})
        return found

    @staticmethod
    def _current(action: Action, key: str):
        """A field's value, with foreign keys compared by id (no query per row)."""
        if key in {"objective", "lead_establishment", "owner"}:
            return getattr(action, f"{key}_id")
        return getattr(action, key)

    @staticmethod
    def _diff_m2m(instance, name: str, wanted: list) -> bool:
        return {obj.pk for obj in getattr(instance, name).all()} != {obj.pk for obj in wanted}

    def run(self, book: Book) -> None:
        Plan.objects.select_for_update().filter(pk=self.plan.pk).first()  # one import of a plan at a time
        for sheet, handler in (
            (FILIERES, self.import_filiere),
            (ACTIONS, self.import_action),
            (INDICATORS, self.import_indicator),
            (MEASUREMENTS, self.import_measurement),
        ):
            rows = book.sheets.get(sheet.name)
            for number, values in rows.rows if rows else ():
                handler(RowContext(self, rows, number, values))

    # filières

    def import_filiere(self, ctx: RowContext) -> None:
        code = ctx.text("code", Filiere, "code", required=True)
        name = ctx.text("name", Filiere, "name")
        kind = ctx.get("kind", choice_value, labels=FILIERES.column("kind").choices)
        description = ctx.text("description")
        establishments = [self._establishment(ctx, "establishments", n) for n in ctx.get("establishments", list_value)]
        if not code or not self._first_time(ctx, "code", ("code", norm(code)), code):
            return
        filiere = self.filieres.get(norm(code))
        if name:
            other = next((f for f in self.filieres.values() if norm(f.name) == norm(name) and f is not filiere), None)
            if other is not None:
                ctx.error("name", _("la filière « %(code)s » porte déjà ce nom.") % {"code": other.code})
        if filiere is None and not name:
            ctx.error("name", _("nom obligatoire pour créer la filière « %(code)s ».") % {"code": code})
        if ctx.failed:
            return
        wanted = {"name": name or None, "kind": kind, "description": description if ctx.has("description") else None}
        wanted = {key: value for key, value in wanted.items() if value is not None}
        if filiere is None:
            filiere = Filiere(ght=self.ght, code=code, **wanted)
            self._save(filiere, "filiere", f"{code} — {filiere.name}")
            self.filieres[norm(code)] = filiere
            if establishments:
                filiere.establishments.set(establishments)
            return
        changed = [key for key, value in wanted.items() if getattr(filiere, key) != value]
        m2m = ctx.has("establishments") and self._diff_m2m(filiere, "establishments", establishments)
        for key in changed:
            setattr(filiere, key, wanted[key])
        labels = [FILIERES.column(key).header for key in changed] + (["Établissements concernés"] if m2m else [])
        if changed:
            self._save(filiere, "filiere", f"{filiere.code} — {filiere.name}", labels)
        elif m2m:
            self.report.changes.append(Change("filiere", False, f"{filiere.code} — {filiere.name}", labels))
        if m2m:
            filiere.establishments.set(establishments)

    # axes and objectives

    def _axis(self, ctx: RowContext, number: int, title: str) -> Axis | None:
        if title:
            earlier = self.axis_titles.get(number)
            if earlier and earlier[0] != title:
                message = _("l'axe %(number)s a un autre intitulé à la ligne %(row)s (« %(title)s »).")
                ctx.error("axis_title", message % {"number": number, "row": earlier[1], "title": earlier[0]})
                return None
            self.axis_titles[number] = (title, ctx.number)
        axis = self.axes.get(number)
        if axis is None:
            if not title:
                ctx.error("axis_title", _("intitulé obligatoire pour créer l'axe %(number)s.") % {"number": number})
                return None
            axis = Axis(plan=self.plan, position=number, title=title)
            self._save(axis, "axis", f"{number}. {title}")
            self.axes[number] = axis
        elif title and axis.title != title:
            axis.title = title
            self._save(axis, "axis", f"{number}. {title}", ["Axe intitulé"])
        return axis

    def _objective(self, ctx: RowContext, axis: Axis, code: str, title: str) -> Objective | None:
        key = ("code", norm(code)) if code else ("title", axis.position, norm(title))
        earlier = self.objective_rows.get(key)
        if earlier:
            earlier_axis, earlier_title, earlier_row = earlier
            if earlier_axis != axis.position:
                message = _("cet objectif est placé sous l'axe %(axis)s à la ligne %(row)s.")
                ctx.error("axis_number", message % {"axis": earlier_axis, "row": earlier_row})
                return None
            if title and earlier_title and title != earlier_title:
                message = _("cet objectif a un autre intitulé à la ligne %(row)s (« %(title)s »).")
                ctx.error("objective_title", message % {"row": earlier_row, "title": earlier_title})
                return None
        if not earlier or (title and not earlier[1]):
            self.objective_rows[key] = (axis.position, title, ctx.number)
        if code:
            candidates = self.objectives_by_code.get(norm(code), [])
            objective = next((o for o in candidates if o.axis_id == axis.pk), candidates[0] if candidates else None)
        else:
            objective = self.objectives_by_title.get((axis.pk, norm(title)))
        if objective is None:
            if not title:
                message = _("intitulé obligatoire pour créer l'objectif « %(code)s ».")
                ctx.error("objective_title", message % {"code": code})
                return None
            objective = Objective(axis=axis, position=self.next_position[axis.pk], code=code, title=title)
            self._save(objective, "objective", f"{code} {title}".strip())
            self._remember_objective(objective)
            return objective
        changed = []
        if title and objective.title != title:
            objective.title = title
            changed.append("Objectif intitulé")
        if objective.axis_id != axis.pk:
            objective.axis = axis
            objective.position = self.next_position[axis.pk]
            changed.append("Axe n°")
        if changed:
            self._save(objective, "objective", f"{objective.code} {objective.title}".strip(), changed)
            self._remember_objective(objective)
        return objective

    # actions

    def import_action(self, ctx: RowContext) -> None:
        code = ctx.text("code", Action, "code", required=True)
        title = ctx.text("title", Action, "title", required=True)
        axis_number = ctx.get("axis_number", integer_value, minimum=1, maximum=999)
        axis_title = ctx.text("axis_title", Axis, "title")
        objective_code = ctx.text("objective_code", Objective, "code")
        objective_title = ctx.text("objective_title", Objective, "title")
        values: dict[str, Any] = {"title": title}
        if ctx.has("description"):
            values["description"] = ctx.text("description")
        m2m: dict[str, list] = {}
        if ctx.has("filieres"):
            codes = ctx.get("filieres", list_value, commas=True) or []
            m2m["filieres"] = [self._filiere(ctx, "filieres", c) for c in codes]
        if ctx.has("lead_establishment"):
            name = ctx.text("lead_establishment")
            values["lead_establishment"] = self._establishment(ctx, "lead_establishment", name) if name else None
        if ctx.has("establishments"):
            names = ctx.get("establishments", list_value) or []
            m2m["establishments"] = [self._establishment(ctx, "establishments", n) for n in names]
        if ctx.has("owner"):
            email = ctx.text("owner")
            values["owner"] = self._member(ctx, "owner", email) if email else None
        if ctx.has("contributors"):
            emails = ctx.get("contributors", list_value, commas=True) or []
            m2m["contributors"] = [self._member(ctx, "contributors", e) for e in emails]
        for key in ("priority", "status", "health", "funding_source"):
            if ctx.has(key):
                choice = ctx.get(key, choice_value, labels=ACTIONS.column(key).choices)
                if choice is not None or key == "funding_source":
                    values[key] = choice or ""
        for key in ("start_date", "due_date", "done_on", "stopped_on"):
            if ctx.has(key):
                values[key] = ctx.get(key, date_value)
        if ctx.has("progress"):
            progress = ctx.get("progress", integer_value, minimum=0, maximum=100)
            if progress is not None:
                values["progress"] = progress
        if ctx.has("prs_references"):
            references = ctx.get("prs_references", list_value, commas=True) or []
            for reference in references:
                try:
                    validate_prs_reference(reference)
                except ValidationError as error:
                    ctx.error("prs_references", " ".join(error.messages))
            values["prs_references"] = references
        if ctx.has("funding_amount"):
            amount = ctx.get("funding_amount", decimal_value, places=2)
            if amount is not None and amount < 0:
                ctx.error("funding_amount", _("le montant ne peut pas être négatif."))
            values["funding_amount"] = amount
        if not code or not self._first_time(ctx, "code", ("code", code), code):
            return
        action = self.actions.get(code)
        start = values.get("start_date", action.start_date if action else None)
        due = values.get("due_date", action.due_date if action else None)
        if start and due and due < start:
            message = _("l'échéance (%(due)s) précède le début (%(start)s).")
            ctx.error("due_date", message % {"due": short_date(due), "start": short_date(start)})
        status = values.get("status") or (action.status if action else Action.Status.TO_START)
        for key, message in status_date_errors(status, start, values, timezone.localdate()).items():
            ctx.error(key, message[0].lower() + message[1:])
        if ctx.failed:
            return
        objective = None
        if axis_number is None and (objective_code or objective_title):
            ctx.error("axis_number", _("numéro d'axe obligatoire pour placer l'objectif."))
        elif axis_number is not None and not (objective_code or objective_title):
            ctx.error("objective_code", _("code ou intitulé de l'objectif obligatoire."))
        elif axis_number is not None:
            axis = self._axis(ctx, axis_number, axis_title)
            objective = self._objective(ctx, axis, objective_code, objective_title) if axis else None
        if ctx.failed:
            return
        values["objective"] = objective
        label = f"{code} — {title}"
        if action is None:
            action = Action(plan=self.plan, code=code, **values)
            self._save(action, "action", label)
            self.actions[code] = action
            set_relations(action, self.acting_user, m2m, new=True)
            return
        changed = [key for key, value in values.items() if self._current(action, key) != _pk_or_value(value)]
        changed_m2m = [name for name, wanted in m2m.items() if self._diff_m2m(action, name, wanted)]
        if not changed and not changed_m2m:
            return
        for key in changed:
            setattr(action, key, values[key])
        # Action.save() moves ``version`` on: saving only what differs is what keeps re-imports silent.
        headers = [ACTIONS.column("objective_code" if k == "objective" else k).header for k in changed + changed_m2m]
        self._save(action, "action", label, headers)
        set_relations(action, self.acting_user, {name: m2m[name] for name in changed_m2m})

    # indicators and measurements

    def _action_for(self, ctx: RowContext, code: str) -> Action | None:
        action = self.actions.get(code)
        if action is None:
            message = _("aucune action « %(code)s » dans ce projet ni dans la feuille « Actions ».")
            ctx.error("action_code", message % {"code": code})
        return action

    def import_indicator(self, ctx: RowContext) -> None:
        code = ctx.text("action_code", required=True)
        name = ctx.text("name", Indicator, "name", required=True)
        values: dict[str, Any] = {}
        if ctx.has("unit"):
            values["unit"] = ctx.text("unit", Indicator, "unit")
        for key in ("baseline", "target"):
            if ctx.has(key):
                values[key] = ctx.get(key, decimal_value)
        if ctx.has("target_date"):
            values["target_date"] = ctx.get("target_date", date_value)
        if not (code and name) or not self._first_time(ctx, "name", (code, norm(name)), f"{code} / {name}"):
            return
        action = self._action_for(ctx, code)
        if ctx.failed:
            return
        indicator = self.indicators.get((code, norm(name)))
        label = f"{code} — {name}"
        if indicator is None:
            indicator = Indicator(action=action, name=name, **values)
            self._save(indicator, "indicator", label)
            self.indicators[(code, norm(name))] = indicator
            return
        changed = [key for key, value in values.items() if getattr(indicator, key) != value]
        if indicator.name != name:
            values["name"] = name
            changed.append("name")
        if changed:
            for key in changed:
                setattr(indicator, key, values[key])
            headers = [INDICATORS.column(key).header for key in changed]
            self._save(indicator, "indicator", label, headers)

    def import_measurement(self, ctx: RowContext) -> None:
        code = ctx.text("action_code", required=True)
        name = ctx.text("indicator", required=True)
        measured_on = ctx.get("measured_on", date_value)
        value = ctx.get("value", decimal_value)
        comment = ctx.text("comment") if ctx.has("comment") else None
        if measured_on is None and not ctx.failed:
            ctx.error("measured_on", _("valeur obligatoire."))
        if value is None and not ctx.failed:
            ctx.error("value", _("valeur obligatoire."))
        if ctx.failed or not code or not name:
            return
        shown = f"{code} / {name} / {short_date(measured_on)}"
        if not self._first_time(ctx, "measured_on", (code, norm(name), measured_on), shown):
            return
        indicator = self.indicators.get((code, norm(name)))
        if indicator is None:
            message = _("aucun indicateur « %(name)s » pour l'action « %(code)s ».")
            ctx.error("indicator", message % {"name": name, "code": code})
            return
        measurement = self.measurements.get((indicator.pk, measured_on))
        label = f"{code} — {indicator.name} ({short_date(measured_on)})"
        if measurement is None:
            measurement = Measurement(indicator=indicator, measured_on=measured_on, value=value, comment=comment or "")
            self._save(measurement, "measurement", label)
            self.measurements[(indicator.pk, measured_on)] = measurement
            return
        changed = []
        if measurement.value != value:
            measurement.value = value
            changed.append("Valeur")
        if comment is not None and measurement.comment != comment:
            measurement.comment = comment
            changed.append("Commentaire")
        if changed:
            self._save(measurement, "measurement", label, changed)


def _pk_or_value(value):
    return value.pk if hasattr(value, "_meta") else value


def import_plan_file(
    *, ght, plan: Plan, data: bytes, filename: str = "", acting_user, dry_run: bool = True
) -> ImportReport:
    """Read ``data`` and import it into ``plan``; nothing is written on a dry run or on any error.
    Every history record names ``acting_user`` (a member, or ``system_actor()`` when no person imports).

    The report lists the changes (those that *would* be made, on a dry run) and every problem
    with its sheet, row and column. ``report.applied`` says whether the import was committed.
    """
    if plan.ght_id != ght.pk:
        raise ValueError(f"Plan {plan.pk} is not a plan of GHT {ght.pk}")
    report = ImportReport(plan=plan)
    try:
        book = read_upload(data, filename)
    except FileRefused as refusal:
        report.problems.append(Problem(str(refusal)))
        return report
    report.file_kind = book.kind
    report.problems.extend(book.problems)
    report.ignored_sheets = book.ignored
    if ACTIONS.name not in book.sheets and not report.problems:
        report.problems.append(Problem(_("Le classeur n'a pas de feuille « Actions ».")))
    try:
        with transaction.atomic():
            PlanImporter(ght=ght, plan=plan, acting_user=acting_user, report=report).run(book)
            if report.problems or dry_run:
                raise _Rollback
    except _Rollback:
        return report
    report.applied = True
    return report
