"""ETags: the version of an object as a client read it, sent back in ``If-Match`` to write it.

The rule, for every object: an action's ETag is its ``version`` (``"<id>-<version>"``), which every save
moves on; any other object's ETag is a hash of its API representation (``etag`` field
excluded). A write compares the ETag sent with the current one while the row is locked
(``select_for_update``), so two writers cannot both pass the comparison.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from django.core.serializers.json import DjangoJSONEncoder

ENTITY_TAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*(?:,|$)')


def representation_etag(data: Mapping) -> str:
    payload = json.dumps(
        {key: value for key, value in data.items() if key != "etag"},
        sort_keys=True,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return f'"{hashlib.sha256(payload.encode()).hexdigest()[:32]}"'


def version_etag(pk: int, version: int) -> str:
    return f'"{pk}-{version}"'


def parse_if_match(header: str) -> list[str]:
    """The entity tags of an ``If-Match`` header, quoted as in an ``ETag`` header; a weak tag (``W/``, as
    some proxies make them) counts as its strong value. ``*`` and malformed values give no tag."""
    tags, position = [], 0
    while position < len(header):
        match = ENTITY_TAG.match(header, position)
        if match is None:
            return []
        tags.append(f'"{match.group(1)}"')
        position = match.end()
    return tags
