"""HTML → PDF with WeasyPrint, never touching the network.

Documents are Django templates rendered to a string. Their stylesheet, fonts and images are fetched
by ``LocalFetcher``: ``/static/…`` from the project's static files, ``data:`` URIs as they are, and
nothing else (a URL smuggled into a title or a style cannot make the worker call out). The logo of
the GHT is inlined as a ``data:`` URI by the caller.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs of the documents resolve against this base; it names no reachable host.
BASE_URL = "https://ght-portal.invalid/"


class LocalFetcher(URLFetcher):
    """Serves the project's static files and data: URIs; refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith("/static/"):
            raise ValueError(f"ressource externe refusée : {url[:80]}")
        relative = unquote(parts.path.removeprefix("/static/"))
        found = None if ".." in Path(relative).parts else finders.find(relative)
        if not found:
            raise ValueError(f"fichier statique introuvable : {relative[:80]}")
        mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": mime})


@dataclass(frozen=True)
class Rendered:
    content: bytes
    page_count: int


def render(html: str) -> Rendered:
    """Lay out and write the document (one layout pass: the page count comes from it)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher()).render()
    return Rendered(content=document.write_pdf(), page_count=len(document.pages))


def in_blocks(rows: Iterable, size: int) -> list[list]:
    """``rows`` in lists of at most ``size``: one table each, since WeasyPrint's layout time grows with
    the number of pages a single table spans (WeasyPrint issue #1296)."""
    rows = list(rows)
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def data_uri(content: bytes, filename: str) -> str:
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"
