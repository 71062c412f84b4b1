"""Dates and numbers as the portal writes them, for Python code: one helper for each, built on
Django's formats of the active language (French, pinned in ``ght_portal/formats/fr/formats.py``).

Templates reach the same formats through ``date:"SHORT_DATE_FORMAT"`` and ``floatformat:"…g"``;
Python code (messages, history lines, choice labels, fast table rows, PDFs, charts) calls these,
so that a page, a PDF and a message never write the same date or number two ways.

A moment (an aware datetime: a checkpoint's closing, a meeting, a report's end) is always written
as its day in ``TIME_ZONE`` (Europe/Paris), never in UTC: closed at 23:30 UTC on 30 June is
« 01/07/2026 ».
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def local_day(value: datetime.date | datetime.datetime) -> datetime.date:
    """The calendar day of ``value``; for an aware datetime, its day in ``TIME_ZONE``."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def short_date(value: datetime.date | datetime.datetime | None, empty: str = "—") -> str:
    """« 05/03/2026 » (``SHORT_DATE_FORMAT``) of a date or of a moment's Paris day; ``empty`` for
    no date (the templates' ``|default:"—"``)."""
    if not value:
        return empty
    return _short_date(local_day(value), get_language())


@functools.lru_cache(maxsize=4096)
def _short_date(day: datetime.date, language: str | None) -> str:
    # Cached: the long tables write hundreds of dates, most of them repeated (due dates fall on a few
    # ends of month), and ``date_format`` costs ~10 µs where the cache costs ~0.5.
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@receiver(setting_changed)
def _forget_formatted_dates(*, setting: str, **kwargs) -> None:
    """A test that changes the formats or the language sees the change (as Django's format cache)."""
    if setting in formats.FORMAT_SETTINGS or setting in {"FORMAT_MODULE_PATH", "LANGUAGE_CODE", "LANGUAGES"}:
        _short_date.cache_clear()


def french_date(value: datetime.date | datetime.datetime | None) -> str:
    """« 1er décembre 2026 », « 15 juin 2026 »: a date (or a moment's Paris day) as French prose
    writes it, which no Django format can (« 1er »). Empty for no date."""
    if not value:
        return ""
    day = local_day(value)
    number = _("1er") if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month]} {day.year}"


def format_number(value, decimals: int | None = None, *, max_decimals: int = 4, empty: str = "") -> str:
    """« 12 345,5 »: thousands grouped by ``THOUSAND_SEPARATOR`` (a narrow no-break space), a decimal
    comma. ``decimals`` fixed (rounded half to even, as Python's ``round``); by default the number's
    own decimals without trailing zeros, at most ``max_decimals`` (4, the scale indicator values are
    stored with: 12.5000 → « 12,5 », 100.0000 → « 100 »). ``empty`` for None."""
    if value is None or value == "":
        return empty
    number = Decimal(str(value))  # a float by its shortest repr: 0.1 stays 0.1
    if decimals is None:
        decimals = min(max_decimals, max(0, -number.normalize().as_tuple().exponent))
    number = number.quantize(Decimal(1).scaleb(-decimals))  # Django's number_format truncates
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)
