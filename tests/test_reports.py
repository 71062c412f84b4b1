"""Report jobs: asking (validation, rights, the same request twice), claiming, retrying, the pages,
and what the PDFs say for a known data set (built in-process here; tests/test_reports_worker.py
builds them through a real worker)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from ght_portal.models import Role
from governance.models import Decision
from reports.documents import build as documents
from reports.documents import services, state
from reports.models import MAX_ATTEMPTS, Report
from reports.revision import data_revision
from tests.factories import ActionFactory, AxisFactory, ObjectiveFactory, PlanFactory
from tests.helpers import text
from tests.reports_world import ReportWorld, pdf_text


@pytest.fixture
def world(ght, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return ReportWorld(ght, make_member)


def membership(user, ght):
    return user.memberships.get(ght=ght)


def ask(world, user=None, **data):
    params = {"kind": Report.Kind.STRATEGIC_REVIEW, "plan": world.plan.pk, "year": world.year, **data}
    return services.request_report(
        membership=(member := membership(user or world.director, world.ght)), data=params, acting_user=member.user
    )


def build(report: Report) -> bytes:
    steps = []
    built = documents.build(Report.objects.get(pk=report.pk), progress=lambda p, s: steps.append(p))
    assert steps == sorted(steps) and steps[-1] == 95
    return built.content


# --- Asking --------------------------------------------------------------------------------------


def test_a_request_is_a_row_queued_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, created = ask(world)
    assert created and len(callbacks) == 1
    assert (report.status, report.requested_by, report.ght) == (Report.Status.REQUESTED, world.director, world.ght)


def test_the_same_request_twice_gives_the_queued_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, _ = ask(world)
        second, created = ask(world, user=world.office)
    assert second == first and not created
    assert len(callbacks) == 1 and Report.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": 2000}, "year", "couvre les années"),
        ({"year": timezone.localdate().year + 1}, "year", "n'a pas commencé"),
        ({"kind": Report.Kind.ROADMAP}, "filiere", "Choisissez la filière"),
        ({"kind": "autre"}, "kind", "Sélectionnez un choix valide"),
        ({"plan": 999999}, "plan", "Sélectionnez un choix valide"),
    ],
)
def test_bad_requests_are_refused_in_french_and_write_nothing(world, data, field, message):
    with pytest.raises(ValidationError) as refused:
        ask(world, **data)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Report.objects.exists()


def test_another_ghts_plan_filiere_or_checkpoint_is_an_invalid_choice(world, other_ght):
    other_plan = PlanFactory(ght=other_ght)
    for data in ({"plan": other_plan.pk}, {"kind": Report.Kind.ROADMAP, "filiere": 10**6}):
        with pytest.raises(ValidationError):
            ask(world, **data)
    assert not Report.objects.exists()


def test_a_checkpoint_of_another_plan_is_refused(world):
    june, _ = world.close_two_checkpoints()
    other = PlanFactory(ght=world.ght, start_year=world.year - 1, end_year=world.year + 1)
    with pytest.raises(ValidationError) as refused:
        ask(world, plan=other.pk, campaign=june.pk)
    assert "autre projet" in refused.value.message_dict["campaign"][0]


@pytest.mark.parametrize("role", [Role.READER, Role.OWNER, Role.PILOT])
def test_only_office_and_directors_ask(world, make_member, role):
    with pytest.raises(PermissionDenied):
        ask(world, user=make_member(world.ght, role))
    assert not Report.objects.exists()


def test_a_report_built_from_a_closed_checkpoint_is_reused(world):
    june, _ = world.close_two_checkpoints()
    report, _ = ask(world, campaign=june.pk)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, file="reports/x.pdf")
    again, created = ask(world, campaign=june.pk)
    assert again == report and not created


@pytest.fixture
def committed_world(transactional_db, ght, make_member, settings, tmp_path):
    """The data set committed, each write its own transaction, as the requests and workers see it."""
    settings.MEDIA_ROOT = tmp_path
    return ReportWorld(ght, make_member)


def done_today(report: Report) -> None:
    """As the worker leaves a finished report of today's figures."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE,
        file="reports/x.pdf",
        started_at=timezone.now(),
        data_as_of=timezone.localdate(),
        data_version=data_revision(report.ght_id),
    )


def test_a_live_report_is_reused_only_while_its_figures_have_not_moved(
    committed_world, django_capture_on_commit_callbacks
):
    world = committed_world
    with django_capture_on_commit_callbacks(execute=False):
        report, _ = ask(world)
    done_today(report)
    assert ask(world) == (report, False)
    world.actions["GER-4"].progress = 5
    world.actions["GER-4"].save()
    with django_capture_on_commit_callbacks(execute=False):
        fresh, created = ask(world)
    assert created and fresh != report


def test_a_bulk_update_or_a_decision_makes_a_live_report_out_of_date(
    committed_world, django_capture_on_commit_callbacks
):
    world = committed_world
    for change in (
        lambda: Action.objects.filter(pk=world.actions["GER-3"].pk).update(status=Action.Status.DONE),
        lambda: Decision.objects.filter(ght=world.ght).update(text="Texte corrigé."),
    ):
        with django_capture_on_commit_callbacks(execute=False):
            report, _ = ask(world)
        done_today(report)
        assert ask(world) == (report, False)
        change()  # no save(), no signal, no timestamp: only the data version sees it
        with django_capture_on_commit_callbacks(execute=False):
            fresh, created = ask(world)
        assert created and fresh != report
        Report.objects.filter(pk=fresh.pk).update(status=Report.Status.FAILED)


# --- Claiming and retrying -----------------------------------------------------------------------


def test_a_job_is_claimed_once(world):
    report, _ = ask(world)
    assert state.claim(report.pk).status == Report.Status.RUNNING
    assert state.claim(report.pk) is None  # a redelivered message, or a second worker
    report.refresh_from_db()
    assert report.attempts == 1


def test_a_job_whose_worker_died_is_taken_again_then_failed_after_its_last_attempt(world):
    report, _ = ask(world)
    long_ago = timezone.now() - state.STALE_AFTER - datetime.timedelta(minutes=1)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert state.claim(report.pk) is not None
        Report.objects.filter(pk=report.pk).update(started_at=long_ago)  # the worker was killed
        assert Report.objects.get(pk=report.pk).attempts == attempt
    assert state.claim(report.pk) is None
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert f"interrompue {MAX_ATTEMPTS} fois" in report.error


def test_a_failed_job_is_retried_and_requeued(world, django_capture_on_commit_callbacks):
    report, _ = ask(world)
    state.claim(report.pk)
    state.fail(report, "Panne.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.retry_report(
            membership=(member := membership(world.office, world.ght)), report=report, acting_user=member.user
        )
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts, len(callbacks)) == (Report.Status.REQUESTED, "", 0, 1)
    with pytest.raises(ValidationError):
        services.retry_report(
            membership=(member := membership(world.office, world.ght)), report=report, acting_user=member.user
        )


def test_the_worker_refuses_a_job_whose_requester_lost_access(world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from reports.tasks import build_report

    report, _ = ask(world)
    world.director.memberships.update(role=Role.READER)
    assert build_report.apply(args=[report.pk]).get() == "refused"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "n'a plus accès" in report.error


def test_an_unexpected_error_fails_the_job_with_a_reason(world, monkeypatch):
    from reports.tasks import build_report

    report, _ = ask(world)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(documents, "build", broken)  # our code breaking, not our database or queue
    assert build_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and f"rapport n° {report.pk}" in report.error
    director = world.director.memberships.get()
    retried = services.retry_report(membership=director, report=report, acting_user=world.director)
    assert retried.status == Report.Status.REQUESTED  # a failed job is offered again


# --- What the PDFs say ---------------------------------------------------------------------------


def test_the_strategic_review_shows_the_figures_of_the_portal(world, other_ght):
    ActionFactory(objective=ObjectiveFactory(axis=AxisFactory(plan=PlanFactory(ght=other_ght))), title="Secret de Bêta")
    report, _ = ask(world)
    words = pdf_text(build(report))
    assert "Bilan annuel" in words and "GHT Alpha" in words and "Comité stratégique" in words
    assert "7 actions suivies" in words
    assert "2 réalisées" in words and "1 en retard" in words
    assert "Données du portail au" in words
    assert "Validation du plan achats." in words and "Avis favorable équipes mobiles." in words
    assert "GER-1" in words and "ACH-3" in words  # the annex lists every action
    assert "Patients vus par l'équipe mobile" in words and "50 %" in words  # 10 → 30 of 10 → 50
    assert "Secret de Bêta" not in words and "GHT Bêta" not in words
    assert "Page 2 sur" in words


def test_a_malicious_title_comes_out_as_text(world):
    report, _ = ask(world)
    words = pdf_text(build(report))
    assert "<script>alert(1)</script></table> url(https://evil.example/x.png)" in words


def test_the_cmg_review_keeps_the_medical_filieres_and_the_cmg_opinions(world):
    report, _ = ask(world, kind=Report.Kind.CMG_REVIEW)
    words = pdf_text(build(report))
    assert "Commission médicale de groupement" in words
    assert "4 actions suivies" in words and "GER-3" in words
    assert "ACH-2" not in words
    assert "Avis favorable équipes mobiles." in words and "Validation du plan achats." not in words


def test_the_review_from_a_checkpoint_says_so_and_compares_the_years_two_checkpoints(world):
    _, december = world.close_two_checkpoints()
    world.actions["GER-1"].title = "Renommée après la clôture"
    world.actions["GER-1"].save()
    report, _ = ask(world, campaign=december.pk)
    words = pdf_text(build(report))
    assert "Instantané du point d'étape « Point d'étape de décembre »" in words
    assert "Renommée après la clôture" not in words  # the snapshot's figures and names
    assert (
        "Comparaison du point d'étape « Point d'étape de juin » et du point d'étape « Point d'étape de décembre »"
    ) in words


def test_the_roadmap_of_a_filiere(world):
    report, _ = ask(world, kind=Report.Kind.ROADMAP, filiere=world.geriatrics.pk)
    words = pdf_text(build(report))
    assert f"Feuille de route {world.year}" in words and "Gériatrie" in words
    assert "Paula Pilote" in words and "GER-3" in words and "ACH-1" not in words


# --- Pages ---------------------------------------------------------------------------------------


def test_director_asks_for_a_report_from_the_page(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.director)
    url = reverse("report_list", kwargs={"ght_slug": world.ght.slug})
    assert "Demander un rapport" in text(client.get(url))
    data = {"kind": "costrat", "plan": world.plan.pk, "year": world.year, "filiere": "", "campaign": ""}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, data)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/rapports/{report.pk}/")
    page = text(client.get(response["Location"]))
    assert "En attente" in page and 'hx-trigger="every 2s"' in page
    with django_capture_on_commit_callbacks(execute=False):
        again = client.post(url, data, follow=True)
    assert "déjà demandé" in text(again) and Report.objects.count() == 1


def test_a_bad_request_from_the_page_is_explained(world, client):
    client.force_login(world.director)
    url = reverse("report_list", kwargs={"ght_slug": world.ght.slug})
    response = client.post(url, {"kind": "roadmap", "plan": world.plan.pk, "year": "deux mille"})
    assert response.status_code == 400
    assert "Saisissez un nombre entier." in text(response) and not Report.objects.exists()


def test_a_finished_report_stops_polling_and_downloads(world, client):
    report, _ = ask(world)
    state.claim(report.pk)
    content = build(report)
    state.finish(report, name=report.download_name(), content=content, page_count=9, as_of=timezone.localdate())
    client.force_login(world.director)
    kwargs = {"ght_slug": world.ght.slug, "report_id": report.pk}
    status = text(client.get(reverse("report_status", kwargs=kwargs)))
    assert "Prêt le" in status and "hx-trigger" not in status
    response = client.get(reverse("report_download", kwargs=kwargs))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "alpha-costrat" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_pending_report_has_nothing_to_download(world, client):
    report, _ = ask(world)
    client.force_login(world.director)
    response = client.get(reverse("report_download", kwargs={"ght_slug": world.ght.slug, "report_id": report.pk}))
    assert response.status_code == 302


def test_a_failure_is_shown_with_its_reason_and_a_retry_button(world, client, django_capture_on_commit_callbacks):
    report, _ = ask(world)
    state.claim(report.pk)
    state.fail(report, "Le stockage n'a pas répondu.")
    client.force_login(world.office)
    kwargs = {"ght_slug": world.ght.slug, "report_id": report.pk}
    page = text(client.get(reverse("report_detail", kwargs=kwargs)))
    assert "Le stockage n'a pas répondu." in page and "Relancer la génération" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("report_retry", kwargs=kwargs), follow=True)
    assert "La génération est relancée." in text(response)


def test_history_lists_the_ghts_reports_only(world, client, other_ght, make_member):
    ask(world)
    stranger = make_member(other_ght, Role.DIRECTOR, full_name="Bernard Bêta")
    other_plan = PlanFactory(ght=other_ght, title="PMSP Bêta", start_year=world.year - 1, end_year=world.year)
    services.request_report(
        membership=stranger.memberships.get(),
        data={"kind": "costrat", "plan": other_plan.pk, "year": world.year},
        acting_user=stranger,
    )
    client.force_login(world.director)
    page = text(client.get(reverse("report_list", kwargs={"ght_slug": world.ght.slug})))
    assert "Denis Directeur" in page and "PMSP Alpha" in page
    assert "Bernard Bêta" not in page and "PMSP Bêta" not in page


def test_the_report_list_costs_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    for year in (world.year - 1, world.year):
        ask(world, year=year)
    client.force_login(world.director)
    url = reverse("report_list", kwargs={"ght_slug": world.ght.slug})
    # session, user, membership+GHT, the GHT switcher, the reports with their plan/filière/campaign/person,
    # the form's plans, filières and checkpoints, the active plan for the form's initial value
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Command line --------------------------------------------------------------------------------


def test_generate_report_command_builds_now(world, capsys):
    call_command("generate_report", world.ght.slug, "--as", world.director.email, "--year", str(world.year), "--now")
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.file and report.page_count > 3
    assert f"Rapport n° {report.pk} : Prêt" in capsys.readouterr().out


def test_generate_report_command_explains_bad_input(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="couvre les années"):
        call_command("generate_report", world.ght.slug, "--as", world.director.email, "--year", "2001")
    with pytest.raises(CommandError, match="membre"):
        call_command("generate_report", world.ght.slug, "--as", "personne@nulle-part.test", "--year", "2026")
    assert not Report.objects.exists()
