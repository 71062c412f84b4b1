"""French typography for the printed documents: dates (« 1er décembre 2026 »), numbers with a narrow
no-break space between thousands and a decimal comma, and the no-break spaces French puts before
« ; : ! ? » and inside « ».

Each filter escapes its input first and marks the result safe, so user text stays text.
"""

from __future__ import annotations

import datetime
import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ght_portal.formats import format_number, french_date

register = template.Library()

NNBSP = "\u202f"  # espace fine insécable
NBSP = "\u00a0"
_BEFORE_PUNCTUATION = re.compile(r"[ \u00a0]([;:!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0]")


@register.filter
def fr_date(value: datetime.date | datetime.datetime | None) -> str:
    """« 1er décembre 2026 » (empty for no date); a moment by its day in Paris, not in UTC."""
    return french_date(value)


@register.filter
def fr_number(value, decimals: int | None = None) -> str:
    """12 345 with narrow no-break spaces, a decimal comma; decimals only when the number has some
    (at most two) unless ``decimals`` is given. Empty for None."""
    return format_number(value, None if decimals is None else int(decimals), max_decimals=2)


@register.filter
def fr_typo(value) -> SafeString:
    """Escaped text with French no-break spaces before ; : ! ? » and after «."""
    text = str(conditional_escape(value if value is not None else ""))
    text = _BEFORE_PUNCTUATION.sub(lambda m: (NNBSP if m.group(1) != "»" else NBSP) + m.group(1), text)
    text = _AFTER_GUILLEMET.sub("«" + NBSP, text)
    return mark_safe(text)  # noqa: S308 - escaped above; only spaces were changed


@register.filter
def blocks(rows, size: int = 40) -> list:
    """``rows`` in lists of ``size`` (``reports.documents.pdf.in_blocks``), for one table each."""
    from reports.documents.pdf import in_blocks  # here: Django loads every tag library at start, WeasyPrint is heavy

    return in_blocks(rows, int(size))
