"""Dates and numbers as the portal writes them (``ght_portal.formats``, Django's French formats of
``ght_portal/formats/fr/formats.py``): the same on the pages, in the messages, the PDFs and the file
names, and a moment always by its day in Paris — a row stored at 23:30 UTC on 30 June is of 1 July.

No clock is frozen: the stored moments are set on the rows, then the page or the helper is read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from actions.models import Plan
from ght_portal.formats import format_number, french_date, short_date
from governance.forms import MeetingForm
from governance.models import Campaign, Instance, Meeting
from reports.charts import number
from reports.documents.forms import ReportRequestForm
from reports.models import Report
from reports.templatetags.french import fr_date, fr_number
from tests.factories import (
    ActionFactory,
    AxisFactory,
    IndicatorFactory,
    MeasurementFactory,
    ObjectiveFactory,
    PlanFactory,
)
from tests.helpers import text

UTC = datetime.UTC
# 23:30 UTC on 30 June is 01:30 on 1 July in Paris (summer time, UTC+2).
CLOSED_LATE_IN_JUNE = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
# 23:30 UTC on 31 December is 00:30 on 1 January in Paris (winter time, UTC+1).
NEW_YEARS_EVE_LATE = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
NNBSP = "\u202f"  # the narrow no-break space between thousands


def url(name, ght, **kwargs):
    return reverse(name, kwargs={"ght_slug": ght.slug, **kwargs})


@pytest.fixture
def plan(ght):
    return PlanFactory(ght=ght, status=Plan.Status.ACTIVE, title="PMSP Alpha", start_year=2024, end_year=2029)


@pytest.fixture
def closed_in_june(plan):
    return Campaign.objects.create(
        plan=plan,
        title="Point d'étape juin",
        deadline=datetime.date(2026, 6, 30),
        status=Campaign.Status.CLOSED,
        closed_at=CLOSED_LATE_IN_JUNE,
    )


# --- Dates -----------------------------------------------------------------------------------------


def test_short_date_is_djangos_short_date_format():
    day = datetime.date(2026, 3, 5)
    assert short_date(day) == "05/03/2026"
    assert Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": day})) == "05/03/2026"


def test_no_date_is_the_dash_the_tables_show_or_empty():
    assert short_date(None) == "—"
    assert short_date(None, "") == ""
    assert french_date(None) == "" and fr_date(None) == ""


def test_a_moment_is_written_by_its_day_in_paris():
    assert short_date(CLOSED_LATE_IN_JUNE) == "01/07/2026"
    assert french_date(NEW_YEARS_EVE_LATE) == "1er janvier 2027"
    # The template filter sees the moment as stored (filters get no local time of their own).
    rendered = Template("{% load french %}{{ when|fr_date }}").render(Context({"when": NEW_YEARS_EVE_LATE}))
    assert rendered == "1er janvier 2027"


def test_a_campaign_closed_late_utc_shows_its_paris_closing_day(ght, reader_client, closed_in_june):
    listing = text(reader_client.get(url("checkpoint_list", ght)))
    assert "01/07/2026" in listing
    dashboard = text(reader_client.get(url("dashboard", ght)))
    assert "Point d'étape juin (clos le 01/07/2026)" in dashboard
    assert "clos le 30/06/2026" not in dashboard
    choices = dict(ReportRequestForm(ght=ght).fields["campaign"].choices)
    assert choices[closed_in_june.pk] == "Point d'étape juin (clos le 01/07/2026)"


def test_a_report_finished_late_on_new_years_eve_is_named_and_dated_in_paris(ght, plan):
    report = Report(ght=ght, kind=Report.Kind.STRATEGIC_REVIEW, plan=plan, year=2026, finished_at=NEW_YEARS_EVE_LATE)
    assert report.download_name() == f"{ght.slug}-{Report.Kind.STRATEGIC_REVIEW}-2026-20270101.pdf"
    cover = render_to_string("reports/pdf/base.html", {"ght": ght, "generated_at": NEW_YEARS_EVE_LATE})
    assert "Document produit par GHT Portal le 1er janvier 2027 à 00:30" in cover


def test_a_meeting_just_after_midnight_in_paris_is_of_that_day(ght, office_client):
    cmg = Instance.objects.get(ght=ght, kind=Instance.Kind.CMG)
    response = office_client.post(
        url("meeting_create", ght, instance_id=cmg.pk),
        {"starts_at": "2026-03-05T00:30", "place": "CH Agen"},
        follow=True,
    )
    meeting = Meeting.objects.get(instance=cmg)
    assert meeting.starts_at == datetime.datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    assert "La séance du 05/03/2026 est enregistrée." in text(response)
    assert str(meeting) == f"{cmg.short_name} — 05/03/2026"


def test_the_meeting_form_reads_french_and_iso_moments_as_paris_time():
    field = MeetingForm().fields["starts_at"]
    expected = datetime.datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
    assert field.clean("05/03/2026 14:30") == expected
    assert field.clean("2026-03-05T14:30") == expected


# --- Numbers ---------------------------------------------------------------------------------------


def test_format_number_groups_thousands_with_a_decimal_comma():
    assert format_number(Decimal("1234567.5000")) == f"1{NNBSP}234{NNBSP}567,5"
    assert format_number(Decimal("12.5000")) == "12,5" and format_number(Decimal("100.0000")) == "100"
    assert format_number(Decimal("-1234.25")) == f"-1{NNBSP}234,25"
    assert format_number(Decimal("3.15"), 1) == "3,2" and format_number(2.5, 0) == "2"  # half to even
    assert format_number(None) == "" and format_number(None, empty="—") == "—"


def test_pages_pdfs_and_charts_group_thousands_alike():
    grouped = f"12{NNBSP}345"
    assert fr_number(12345) == grouped and number(12345.4) == grouped and format_number(12345) == grouped
    assert Template('{{ n|floatformat:"-2g" }}').render(Context({"n": 12345})) == grouped
    assert number(None) == "—"


def test_the_action_page_groups_amounts_and_measurements(ght, reader_client, plan):
    action = ActionFactory(
        objective=ObjectiveFactory(axis=AxisFactory(plan=plan)), code="GER-1", funding_amount=Decimal("12500.50")
    )
    indicator = IndicatorFactory(action=action, name="Passages", unit="passages", target=Decimal("2000"))
    MeasurementFactory(indicator=indicator, measured_on=datetime.date(2026, 3, 5), value=Decimal("1250.5"))
    page = text(reader_client.get(url("action_detail", ght, action_id=action.pk)))
    assert f"12{NNBSP}500,50 €" in page
    assert f"1{NNBSP}250,5 passages" in page and f"2{NNBSP}000 passages" in page
