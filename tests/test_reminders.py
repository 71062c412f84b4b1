"""Checkpoint reminders and the weekly digest (governance/checkpoints/reminders.py): who gets what, when, once.

Every test passes an explicit ``now``; mails are queued on commit (captured here) and sent eagerly.
"""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from guardian.shortcuts import assign_perm

from actions.models import Action, Plan
from ght_portal.models import Membership, Role
from governance import tasks
from governance.checkpoints import reminders
from governance.models import Campaign, CheckpointUpdate, ReminderLog
from tests.factories import ActionFactory, AxisFactory, FiliereFactory, MembershipFactory, ObjectiveFactory, PlanFactory
from tests.helpers import text

PARIS = ZoneInfo("Europe/Paris")
OPENED_AT = datetime.datetime(2026, 6, 3, 10, 0, tzinfo=PARIS)  # a Wednesday, after the digest window
DEADLINE = datetime.date(2026, 6, 30)


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def build_world(ght, make_member, office, *, opened_at=OPENED_AT, deadline=DEADLINE) -> dict:
    """A campaign of five actions: who owes what is spelled out in ``expected``.

    GER-1 (owner, Gériatrie), HOR-1 (owner, no filière), GER-2 (a reader owns it: only the pilot),
    URG-1 (submitted: nobody), GER-3 (no owner, under a Gériatrie objective, returned: the pilot).
    The actions have no due date, so they never appear in a digest.
    """
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    axis = AxisFactory(plan=plan)
    objective = ObjectiveFactory(axis=axis)
    ger = FiliereFactory(ght=ght, name="Gériatrie", code="GER")
    urg = FiliereFactory(ght=ght, name="Urgences", code="URG")
    owner = make_member(ght, Role.OWNER, full_name="Olivier Responsable")
    pilot = make_member(ght, Role.PILOT, full_name="Pauline Pilote")
    reader_owner = make_member(ght, Role.READER, full_name="Rémi Lecteur")
    stray = make_member(ght, Role.OWNER, full_name="Sam Ancien-Pilote")  # grant kept, PILOT role lost
    gone = make_member(ght, Role.PILOT, full_name="Gaston Parti")
    Membership.objects.filter(user=gone).update(is_active=False)
    for user in (pilot, stray, gone):
        assign_perm("filieres.pilot_filiere", user, ger)

    def action(code, owner=None, filieres=(), objective=objective):
        created = ActionFactory(objective=objective, code=code, owner=owner, due_date=None)
        created.filieres.set(filieres)
        return created

    actions = {
        "GER-1": action("GER-1", owner, [ger]),
        "HOR-1": action("HOR-1", owner),
        "GER-2": action("GER-2", reader_owner, [ger]),
        "URG-1": action("URG-1", owner, [urg]),
        "GER-3": action("GER-3", objective=ObjectiveFactory(axis=axis, filiere=ger)),
    }
    campaign = Campaign.objects.create(plan=plan, title="Point d'étape juin 2026", deadline=deadline)
    Campaign.objects.filter(pk=campaign.pk).update(opened_at=opened_at)
    campaign.refresh_from_db()
    states = {"URG-1": CheckpointUpdate.State.SUBMITTED, "GER-3": CheckpointUpdate.State.RETURNED}
    for code, item in actions.items():
        CheckpointUpdate.objects.create(
            campaign=campaign,
            action=item,
            state=states.get(code, CheckpointUpdate.State.TO_FILL),
            return_comment="Merci de préciser l'avancement" if code == "GER-3" else "",
        )
    return {
        "campaign": campaign,
        "plan": plan,
        "office": office,
        "owner": owner,
        "pilot": pilot,
        "reader_owner": reader_owner,
        "stray": stray,
        "gone": gone,
        "actions": actions,
        "expected": {owner.email: ["GER-1", "HOR-1"], pilot.email: ["GER-1", "GER-2", "GER-3"]},
    }


@pytest.fixture
def world(ght, make_member, office):
    return build_world(ght, make_member, office)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(now) → the periodic job at ``now``, its mails sent (outbox) and the counts returned."""

    def run_at(now):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_due_reminders(now)

    return run_at


def by_recipient(messages) -> dict[str, list]:
    result: dict[str, list] = {}
    for message in messages:
        assert len(message.to) == 1
        result.setdefault(message.to[0], []).append(message)
    return result


def codes_in(message) -> list[str]:
    return sorted(line[2:].split(" — ")[0] for line in message.body.splitlines() if line.startswith("- "))


# --- Who owes what ------------------------------------------------------------------------------------


def test_owed_by_person_follows_the_permission_contract(world):
    owed = reminders.owed_by_person(world["campaign"])
    got = {person.user.email: [update.action.code for update in person.updates] for person in owed.values()}
    # not the reader who owns GER-2, not the member whose PILOT role was taken away (stray grant),
    # not the inactive pilot, nobody for the submitted URG-1
    assert got == world["expected"]


def test_owed_by_person_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    campaign = world["campaign"]
    for _ in range(30):
        created = ActionFactory(objective=world["actions"]["GER-1"].objective, owner=world["owner"], due_date=None)
        created.filieres.add(*world["actions"]["GER-1"].filieres.all())
        CheckpointUpdate.objects.create(campaign=campaign, action=created)
    # updates + their filières, content type (cached after once), grants, memberships, users
    with django_assert_max_num_queries(6):
        owed = reminders.owed_by_person(campaign)
    assert len(owed[world["owner"].pk].updates) == 32


# --- When ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "event"),
    [
        (paris(2026, 6, 3, 9, 59), None),  # before the opening
        (paris(2026, 6, 3, 10, 0), "opening"),
        (paris(2026, 6, 23, 6, 59), "opening"),
        (paris(2026, 6, 23, 7, 0), "d-7"),
        (paris(2026, 6, 29, 6, 59), "d-7"),
        (paris(2026, 6, 29, 7, 0), "d-1"),
        (paris(2026, 6, 30, 23, 59), "d-1"),  # the deadline day is included
        (paris(2026, 7, 1, 0, 0), None),  # past the deadline: nobody is chased any more
    ],
)
def test_owed_event_in_paris_time(world, now, event):
    assert reminders.owed_event(world["campaign"], now) == event
    # the same instant written in UTC gives the same answer
    assert reminders.owed_event(world["campaign"], now.astimezone(datetime.UTC)) == event


def test_a_campaign_opened_late_has_no_reminder_before_its_opening(world):
    campaign = world["campaign"]
    campaign.opened_at = paris(2026, 6, 26, 15, 0)  # 4 days before the deadline: no D-7
    assert reminders.owed_event(campaign, paris(2026, 6, 26, 15, 5)) == "opening"
    assert reminders.owed_event(campaign, paris(2026, 6, 28, 12, 0)) == "opening"
    assert reminders.owed_event(campaign, paris(2026, 6, 29, 7, 0)) == "d-1"


def test_office_summary_moment_and_closed_campaigns(world):
    campaign = world["campaign"]
    assert not reminders.office_event_due(campaign, paris(2026, 7, 1, 6, 59))
    assert reminders.office_event_due(campaign, paris(2026, 7, 1, 7, 0))
    campaign.status = Campaign.Status.CLOSED
    assert not reminders.office_event_due(campaign, paris(2026, 7, 20, 7, 0))
    assert reminders.owed_event(campaign, paris(2026, 6, 29, 7, 0)) is None


# --- What is sent ---------------------------------------------------------------------------------------


def test_opening_sends_one_mail_per_person_listing_everything_they_owe(world, run):
    assert run(paris(2026, 6, 3, 10, 5)) == {"campaigns": 2, "digests": 0}
    sent = by_recipient(mail.outbox)
    assert {email: codes_in(messages[0]) for email, messages in sent.items()} == world["expected"]
    assert all(len(messages) == 1 for messages in sent.values())

    message = sent[world["pilot"].email][0]
    assert message.subject == "Point d'étape juin 2026 : vos mises à jour à remettre avant le 30 juin 2026"
    assert message.body.startswith(
        "Bonjour Pauline Pilote,\n\nLe point d'étape « Point d'étape juin 2026 » du GHT Alpha"
    )
    assert "au plus tard le mardi 30 juin 2026." in message.body
    assert "Vous avez 3 mises à jour à remplir :" in message.body
    title = world["actions"]["GER-3"].title
    assert f"- GER-3 — {title} (renvoyée pour complément : « Merci de préciser l'avancement »)" in message.body
    link = f"{settings.SITE_URL}/alpha/points-d-etape/{world['campaign'].pk}/mes-mises-a-jour/"
    assert f"\n{link}\n" in message.body
    assert "&#x27;" not in message.body and "&quot;" not in message.body  # plain text, not HTML-escaped


def test_nothing_is_sent_twice_for_the_same_event(world, run):
    run(paris(2026, 6, 3, 10, 5))
    assert len(mail.outbox) == 2
    # a restarted beat, the next ticks: the claims are there, nothing more
    assert run(paris(2026, 6, 3, 10, 5)) == {"campaigns": 0, "digests": 0}
    assert run(paris(2026, 6, 10, 12, 0))["campaigns"] == 0
    assert len(mail.outbox) == 2
    keys = set(ReminderLog.objects.values_list("key", flat=True))
    campaign_id = world["campaign"].pk
    assert keys == {
        f"campaign:{campaign_id}:opening:user:{world['owner'].pk}",
        f"campaign:{campaign_id}:opening:user:{world['pilot'].pk}",
    }


def test_the_seven_day_and_last_day_reminders(world, run):
    run(paris(2026, 6, 3, 10, 5))
    mail.outbox.clear()
    # the owner submits one of their two updates in the meantime
    CheckpointUpdate.objects.filter(action=world["actions"]["HOR-1"]).update(state=CheckpointUpdate.State.SUBMITTED)

    run(paris(2026, 6, 23, 7, 10))
    sent = by_recipient(mail.outbox)
    assert {email: codes_in(messages[0]) for email, messages in sent.items()} == {
        world["owner"].email: ["GER-1"],
        world["pilot"].email: ["GER-1", "GER-2", "GER-3"],
    }
    owner_mail = sent[world["owner"].email][0]
    assert owner_mail.subject == "Rappel : plus que 7 jours pour le point d'étape « Point d'étape juin 2026 »"
    assert "se termine dans 7 jours, le mardi 30 juin 2026. Il vous reste une mise à jour à remettre :" in (
        owner_mail.body
    )
    run(paris(2026, 6, 23, 7, 25))
    assert len(mail.outbox) == 2

    mail.outbox.clear()
    run(paris(2026, 6, 29, 7, 0))
    assert (
        sorted(message.subject for message in mail.outbox)
        == ["Dernier rappel : le point d'étape « Point d'étape juin 2026 » se termine demain"] * 2
    )
    assert "se termine demain, mardi 30 juin 2026." in mail.outbox[0].body


def test_a_reminder_missed_while_down_is_sent_once_and_only_the_latest(world, run):
    # the beat was down from before the opening until the eve of the deadline: D-1 only, not three mails
    run(paris(2026, 6, 29, 18, 0))
    assert len(mail.outbox) == 2
    assert all(message.subject.startswith("Dernier rappel") for message in mail.outbox)
    run(paris(2026, 6, 29, 18, 15))
    assert len(mail.outbox) == 2


def test_someone_who_starts_owing_later_is_reminded_at_the_next_tick(world, run, make_member, ght):
    run(paris(2026, 6, 3, 10, 5))
    newcomer = make_member(ght, Role.OWNER, full_name="Nina Nouvelle")
    Action.objects.filter(pk=world["actions"]["URG-1"].pk).update(owner=newcomer)
    CheckpointUpdate.objects.filter(action=world["actions"]["URG-1"]).update(state=CheckpointUpdate.State.RETURNED)
    mail.outbox.clear()
    run(paris(2026, 6, 3, 10, 20))
    assert [message.to for message in mail.outbox] == [[newcomer.email]]
    assert codes_in(mail.outbox[0]) == ["URG-1"]


def test_closed_campaigns_send_nothing(world, run):
    Campaign.objects.filter(pk=world["campaign"].pk).update(status=Campaign.Status.CLOSED)
    for now in (paris(2026, 6, 3, 10, 5), paris(2026, 6, 23, 7, 0), paris(2026, 6, 29, 7, 0), paris(2026, 7, 1, 8)):
        assert run(now) == {"campaigns": 0, "digests": 0}
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_the_office_gets_a_summary_by_filiere_once_the_deadline_has_passed(world, run, ght, make_member):
    second_office = make_member(ght, Role.OFFICE, full_name="Bruno Bureau")
    inactive_office = make_member(ght, Role.OFFICE, full_name="Ines Inactive")
    Membership.objects.filter(user=inactive_office).update(is_active=False)
    run(paris(2026, 6, 30, 23, 0))  # D-1 for the people, nothing for the office yet
    assert {message.to[0] for message in mail.outbox} == set(world["expected"])
    mail.outbox.clear()

    run(paris(2026, 7, 1, 7, 5))
    assert sorted(message.to[0] for message in mail.outbox) == sorted([world["office"].email, second_office.email])
    message = by_recipient(mail.outbox)[world["office"].email][0]
    assert message.subject == "Point d'étape juin 2026 : date limite passée, 4 mises à jour encore dues"
    assert message.body.startswith("Bonjour Claire Cellule,\n\nLa date limite du point d'étape")
    assert "était le mardi 30 juin 2026." in message.body
    assert "4 mises à jour sur 5 restent dues. Par filière (mises à jour dues sur le total) :" in message.body
    assert "- Gériatrie : 3 / 3\n- Urgences : 0 / 1\n- Sans filière : 1 / 1\n" in message.body
    assert f"{settings.SITE_URL}/alpha/points-d-etape/{world['campaign'].pk}/\n" in message.body

    run(paris(2026, 7, 2, 7, 5))  # still open days later: no second summary
    assert len(mail.outbox) == 2


def test_office_summary_when_everything_is_in(world, run):
    CheckpointUpdate.objects.update(state=CheckpointUpdate.State.SUBMITTED)
    run(paris(2026, 7, 1, 7, 5))
    assert [message.to for message in mail.outbox] == [[world["office"].email]]
    assert (
        mail.outbox[0].subject == "Point d'étape juin 2026 : date limite passée, toutes les mises à jour sont remises"
    )
    assert "Les 5 mises à jour attendues ont toutes été remises." in mail.outbox[0].body


def test_remind_opening_waits_for_the_commit_and_rechecks_the_campaign(
    ght, make_member, office, django_capture_on_commit_callbacks
):
    now = datetime.datetime.now(tz=PARIS)
    world = build_world(ght, make_member, office, opened_at=now, deadline=now.date() + datetime.timedelta(days=60))
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.remind_opening(world["campaign"])
    assert mail.outbox == [] and len(callbacks) == 1  # queued for the commit, not sent in the transaction
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert {message.to[0]: codes_in(message) for message in mail.outbox} == world["expected"]

    # the periodic job finds the opening already done
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(now + datetime.timedelta(minutes=15))["campaigns"] == 0
    assert len(mail.outbox) == 2


def test_tasks_recheck_the_ght_and_the_state(world, other_ght, django_capture_on_commit_callbacks):
    campaign = world["campaign"]
    now = paris(2026, 6, 3, 10, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_campaign_reminders(other_ght.pk, campaign.pk, now) == 0
        assert reminders.send_opening(other_ght.pk, campaign.pk, now) == 0
        assert reminders.send_opening(campaign.ght_id, campaign.pk, paris(2026, 6, 29, 8, 0)) == 0  # moved on to D-1
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_opening(campaign.ght_id, campaign.pk, now) == 2
    assert len(mail.outbox) == 2


def test_task_refuses_a_naive_now(db):
    from governance.tasks import send_due_reminders

    with pytest.raises(ValueError, match="time zone"):
        send_due_reminders("2026-06-03T10:00:00")
    assert send_due_reminders("2026-06-03T10:00:00+02:00") == {"campaigns": 0, "digests": 0}


# --- The claim itself -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_claim_outside_a_transaction_is_refused(ght, office):
    with pytest.raises(RuntimeError, match="transaction"):
        reminders.claim(ght.pk, {"x": office.pk})
    assert not ReminderLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_of_the_same_key_give_it_to_one_only(ght, office):
    """The second transaction waits on the first's uncommitted row, then gets nothing."""
    first_claimed = threading.Event()
    results: dict[str, set] = {}

    def second():
        try:
            first_claimed.wait(5)
            with transaction.atomic():
                results["second"] = reminders.claim(ght.pk, {"campaign:1:d-7:user:1": office.pk})
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        results["first"] = reminders.claim(ght.pk, {"campaign:1:d-7:user:1": office.pk})
        first_claimed.set()
        thread.join(0.5)
        assert thread.is_alive(), "the second claim should be waiting for the first transaction"
    thread.join(5)
    assert results == {"first": {"campaign:1:d-7:user:1"}, "second": set()}
    assert ReminderLog.objects.count() == 1


def test_a_rolled_back_claim_leaves_nothing_behind(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError), transaction.atomic():
        reminders.send_owed_reminders(world["campaign"], "opening")
        raise ZeroDivisionError
    assert mail.outbox == [] and not ReminderLog.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_owed_reminders(world["campaign"], "opening") == 2


# --- The weekly digest ------------------------------------------------------------------------------------

MONDAY = paris(2026, 6, 8, 7, 0)  # ISO week 2026-W24


@pytest.fixture
def digest_world(ght, make_member):
    plan = PlanFactory(ght=ght, status=Plan.Status.ACTIVE)
    objective = ObjectiveFactory(axis=AxisFactory(plan=plan))
    owner = make_member(ght, Role.OWNER, full_name="Olivier Responsable")
    quiet = make_member(ght, Role.OWNER, full_name="Quentin Tranquille")
    opted_out = make_member(ght, Role.PILOT, full_name="Odile Désabonnée", digest_opt_out=True)
    today = MONDAY.date()

    def action(code, owner, days, status=Action.Status.IN_PROGRESS, **fields):
        due = None if days is None else today + datetime.timedelta(days=days)
        return ActionFactory(objective=objective, code=code, owner=owner, due_date=due, status=status, **fields)

    action("LATE-1", owner, -20, progress=40)
    action("LATE-2", owner, -1, status=Action.Status.TO_START)
    action("TODAY", owner, 0)
    action("SOON-1", owner, 1)
    action("SOON-30", owner, 30)
    action("FAR", owner, 31)
    action("NODATE", owner, None)
    action("DONE", owner, -5, status=Action.Status.DONE)
    action("DROPPED", owner, 3, status=Action.Status.ABANDONED)
    action("QUIET", quiet, 90)
    action("OPTOUT", opted_out, -3)
    archived = PlanFactory(ght=ght, status=Plan.Status.ARCHIVED, start_year=2018, end_year=2023)
    ActionFactory(
        objective=ObjectiveFactory(axis=AxisFactory(plan=archived)),
        code="OLD",
        owner=owner,
        due_date=today - datetime.timedelta(days=400),
    )
    return {"owner": owner, "quiet": quiet, "opted_out": opted_out}


@pytest.mark.parametrize(
    ("now", "week"),
    [
        (paris(2026, 6, 8, 6, 59), None),
        (MONDAY, "2026-W24"),
        (paris(2026, 6, 10, 6, 59), "2026-W24"),  # caught up until Wednesday morning
        (paris(2026, 6, 10, 7, 0), None),
        (paris(2026, 6, 14, 23, 0), None),
        (paris(2026, 6, 15, 7, 0), "2026-W25"),
        (paris(2026, 12, 28, 8, 0), "2026-W53"),
        (paris(2027, 1, 4, 7, 0), "2027-W01"),
    ],
)
def test_digest_week(now, week):
    assert reminders.digest_week(now) == week


def test_digest_goes_to_owners_with_something_to_say_once_a_week(digest_world, run):
    assert run(MONDAY)["digests"] == 1
    assert [message.to for message in mail.outbox] == [[digest_world["owner"].email]]
    assert run(paris(2026, 6, 9, 12, 0))["digests"] == 0  # Tuesday, same week
    owner = digest_world["owner"]
    assert ReminderLog.objects.get().key == f"digest:{owner.memberships.get().ght_id}:2026-W24:user:{owner.pk}"
    assert run(paris(2026, 6, 15, 7, 0))["digests"] == 1  # next Monday
    assert len(mail.outbox) == 2


def test_digest_content(digest_world, run, ght):
    run(MONDAY)
    message = mail.outbox[0]
    assert message.subject == "Vos actions à suivre cette semaine — Alpha"
    body = message.body
    assert body.startswith(
        "Bonjour Olivier Responsable,\n\nVoici vos actions du GHT Alpha en retard ou arrivant à échéance"
        " dans les 30 prochains jours.\n"
    )
    assert codes_in(message) == ["LATE-1", "LATE-2", "SOON-1", "SOON-30", "TODAY"]
    late = body.index("En retard (2 actions) :")
    soon = body.index("À échéance dans les 30 jours (3 actions) :")
    assert late < body.index("- LATE-1") < body.index("- LATE-2") < soon < body.index("- TODAY")
    assert body.index("- TODAY") < body.index("- SOON-1") < body.index("- SOON-30")
    assert "échéance le 19 mai 2026, dépassée de 20 jours (En cours, 40 %)" in body
    assert "échéance le 7 juin 2026, dépassée d'un jour (À lancer, 0 %)" in body
    assert "- TODAY — " in body and "échéance aujourd'hui, 8 juin 2026" in body
    assert "échéance le 9 juin 2026, demain" in body
    assert "échéance le 8 juillet 2026, dans 30 jours" in body
    late_action = Action.objects.get(code="LATE-1")
    assert f"  {settings.SITE_URL}/alpha/actions/{late_action.pk}/\n" in body
    assert "« Ne pas recevoir le récapitulatif hebdomadaire » dans « Mon profil »" in body
    assert f"{settings.SITE_URL}/compte/\n" in body


def test_digest_respects_the_opt_out_and_inactive_members(digest_world, run):
    digest_world["owner"].digest_opt_out = True
    digest_world["owner"].save()
    Membership.objects.filter(user=digest_world["quiet"]).update(is_active=False)
    assert run(MONDAY)["digests"] == 0
    assert mail.outbox == [] and not ReminderLog.objects.exists()

    digest_world["opted_out"].digest_opt_out = False
    digest_world["opted_out"].save()
    run(MONDAY)
    assert [message.to for message in mail.outbox] == [[digest_world["opted_out"].email]]
    assert codes_in(mail.outbox[0]) == ["OPTOUT"]


def test_digest_is_per_ght_and_shows_no_other_ght(digest_world, run, other_ght):
    owner = digest_world["owner"]
    MembershipFactory(ght=other_ght, user=owner, role=Role.OWNER)
    plan = PlanFactory(ght=other_ght, status=Plan.Status.ACTIVE)
    ActionFactory(
        objective=ObjectiveFactory(axis=AxisFactory(plan=plan)),
        code="BETA-1",
        owner=owner,
        due_date=MONDAY.date() + datetime.timedelta(days=2),
    )
    run(MONDAY)
    subjects = {message.subject: codes_in(message) for message in mail.outbox}
    assert subjects == {
        "Vos actions à suivre cette semaine — Alpha": ["LATE-1", "LATE-2", "SOON-1", "SOON-30", "TODAY"],
        "Vos actions à suivre cette semaine — Bêta": ["BETA-1"],
    }


# --- « Mon profil » ---------------------------------------------------------------------------------------


def test_a_person_turns_the_digest_off_and_on_in_their_profile(client, ght, make_member):
    user = make_member(ght, Role.OWNER, full_name="Dr Sophie Lacombe")
    client.force_login(user)
    page = text(client.get("/compte/"))
    assert "Ne pas recevoir le récapitulatif hebdomadaire" in page
    assert 'type="checkbox" name="digest_opt_out"' in page

    fields = {"full_name": "Dr Sophie Lacombe", "job_title": "", "phone": ""}
    assert client.post("/compte/", {**fields, "digest_opt_out": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.digest_opt_out is True
    assert client.post("/compte/", fields).status_code == 302
    user.refresh_from_db()
    assert user.digest_opt_out is False
