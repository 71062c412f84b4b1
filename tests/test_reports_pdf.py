"""The PDF plumbing: nothing is fetched from the network, and French typography."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from reports.documents import pdf
from reports.templatetags.french import blocks, fr_date, fr_number, fr_typo


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/x.png",
        "http://127.0.0.1:8000/static/css/pdf.css",
        "file:///etc/passwd",
        f"{pdf.BASE_URL}media/reports/1/secret.pdf",
        f"{pdf.BASE_URL}static/../ght_portal/settings.py",
        f"{pdf.BASE_URL}static/css/absent.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(ValueError):
        pdf.LocalFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_uris():
    response = pdf.LocalFetcher().fetch(f"{pdf.BASE_URL}static/css/pdf.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    assert pdf.LocalFetcher().fetch(pdf.data_uri(b"abc", "x.png")).read() == b"abc"


def test_a_document_with_an_external_image_renders_without_it():
    rendered = pdf.render('<p>Bonjour</p><img src="https://evil.example/pixel.png">')
    assert rendered.content.startswith(b"%PDF") and rendered.page_count == 1


def test_french_typography():
    assert fr_date(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert fr_date(datetime.date(2026, 6, 15)) == "15 juin 2026"
    assert fr_number(12345) == "12\u202f345"
    assert fr_number(Decimal("27.50")) == "27,5" and fr_number(Decimal("3.125"), 1) == "3,1"
    assert fr_number(None) == ""
    assert fr_typo("Attention : « retard » !") == "Attention\u202f: «\u00a0retard\u00a0»\u202f!"
    assert fr_typo("<b>gras</b> ?") == "&lt;b&gt;gras&lt;/b&gt;\u202f?"
    assert blocks(range(5), 2) == [[0, 1], [2, 3], [4]]
