"""The project's French formats (``FORMAT_MODULE_PATH``), read by Django before its own
(``django/conf/locale/fr/formats.py``, which gives everything not set here).

Pinned, so that the pages, the PDFs, the messages and the history all write what the tests assert,
whatever a Django upgrade changes.
"""

DATE_FORMAT = "j F Y"  # 5 mars 2026
SHORT_DATE_FORMAT = "d/m/Y"  # 05/03/2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y à H:i"  # 5 mars 2026 à 14:30
SHORT_DATETIME_FORMAT = "d/m/Y à H:i"  # 05/03/2026 à 14:30
DECIMAL_SEPARATOR = ","
# French typography groups thousands with a narrow no-break space (12 345), as the PDFs and charts
# always did; Django's French is a (wide) no-break space.
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
