"""The GHT's data revision moves with every committed change to what the figures read, written by
database triggers in the committing transaction: a cached dashboard or a reused report can never miss
a change, even when transactions overlap. Committed data (transactional_db), as in production."""

from __future__ import annotations

import re

import psycopg
import pytest
from django.apps import apps
from django.db import connection, transaction

from actions.models import Action
from filieres.models import Filiere
from ght_portal.models import GHT
from reports.documents import services
from reports.models import Report
from reports.revision import NOT_REVISED, data_revision
from tests.factories import MilestoneFactory
from tests.reports_world import ReportWorld

URL = "/alpha/tableau-de-bord/"
APPS = ("ght_portal", "actions", "filieres", "governance", "reports")


@pytest.fixture
def world(transactional_db, ght, make_member):
    return ReportWorld(ght, make_member)


def done(client) -> int:
    """The key figure « réalisées » of the dashboard."""
    page = client.get(URL).content.decode()
    return int(re.search(r'stat__value">(\d+)</span><span class="stat__label">réalisées', page).group(1))


def raw_connection() -> psycopg.Connection:
    """A second, independent session on the test database (not Django's)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params)


def revision(ght) -> int:
    value = data_revision(ght.pk)
    assert value is not None
    return int(value)


def test_overlapping_transactions_cannot_hide_a_committed_change(world, client):
    """T1 writes first, T2 writes and commits, T1 commits last: row counts and transaction ids alone
    would say nothing moved after T2; the revision moves at T1's commit."""
    client.force_login(world.director)
    before = done(client)
    first, second = world.actions["GER-4"], world.actions["GER-1"]
    with raw_connection() as t1, raw_connection() as t2:
        t1.execute("UPDATE actions_action SET status = %s WHERE id = %s", [Action.Status.DONE, first.pk])  # T1 first
        t2.execute("UPDATE actions_action SET progress = 55 WHERE id = %s", [second.pk])
        t2.commit()
        between = done(client)  # cached under T2's revision
        assert between == before
        report, _ = services.request_report(
            membership=world.director.memberships.get(),
            data={"kind": "costrat", "plan": world.plan.pk, "year": world.year},
            acting_user=world.director,
        )
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.DONE,
            file="reports/x.pdf",
            data_as_of=report.requested_at.date(),
            data_version=data_revision(world.ght.pk),
        )
        assert services.request_report(  # the same request: the built report is still current
            membership=world.director.memberships.get(),
            data={"kind": "costrat", "plan": world.plan.pk, "year": world.year},
            acting_user=world.director,
        ) == (Report.objects.get(pk=report.pk), False)
        t1.commit()
    assert done(client) == before + 1  # the dashboard shows T1's change
    again, created = services.request_report(
        membership=world.director.memberships.get(),
        data={"kind": "costrat", "plan": world.plan.pk, "year": world.year},
        acting_user=world.director,
    )
    assert created and again.pk != report.pk  # the old report is no longer offered as « déjà prêt »


def test_a_transaction_that_wrote_reads_no_revision(world):
    assert data_revision(world.ght.pk) is not None
    with transaction.atomic():
        Action.objects.filter(pk=world.actions["GER-1"].pk).update(progress=99)
        assert data_revision(world.ght.pk) is None  # nothing is cached or reused from here


def test_a_rolled_back_savepoint_does_not_hide_the_next_write(world):
    """The first write of a transaction queues the bump; if its savepoint rolls back, the next does."""
    start = revision(world.ght)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Action.objects.filter(pk=world.actions["GER-1"].pk).update(progress=11)
                raise RuntimeError
        except RuntimeError:
            pass
        Action.objects.filter(pk=world.actions["GER-2"].pk).update(progress=12)
    assert revision(world.ght) == start + 1


def test_one_bump_per_transaction_whatever_the_rows(world):
    start = revision(world.ght)
    Action.objects.filter(ght=world.ght).update(progress=42)  # many rows, one statement, autocommit
    assert revision(world.ght) == start + 1
    with transaction.atomic():
        Action.objects.filter(ght=world.ght).update(progress=43)
        world.actions["GER-1"].filieres.clear()  # a many-to-many link
    assert revision(world.ght) == start + 2


@pytest.mark.parametrize("change", ["link", "owner_name", "ght_row", "filiere"])
def test_what_the_figures_read_besides_the_actions_moves_it(world, change):
    action = world.actions["GER-1"]
    start = revision(world.ght)
    if change == "link":
        action.establishments.clear()
        action.filieres.add(Filiere.objects.filter(ght=world.ght).exclude(actions=action).first())
    elif change == "owner_name":
        type(action.owner).objects.filter(pk=action.owner_id).update(full_name="Nouveau Nom")
    elif change == "ght_row":
        GHT.objects.filter(pk=world.ght.pk).update(name="GHT renommé")
    else:
        Filiere.objects.filter(pk=Filiere.objects.filter(ght=world.ght).first().pk).update(name="Filière renommée")
    assert revision(world.ght) > start


def test_a_deletion_moves_it(world):
    milestone = MilestoneFactory(action=world.actions["GER-1"])
    start = revision(world.ght)
    milestone.delete()
    assert revision(world.ght) == start + 1


def test_another_ghts_change_leaves_it_alone(world, other_ght):
    start = revision(world.ght)
    GHT.objects.filter(pk=other_ght.pk).update(name="Autre GHT renommé")
    assert revision(world.ght) == start


def test_every_table_the_figures_read_has_its_trigger(db):
    """A new table of the apps is either revised (it has the trigger) or said not to be read."""
    with connection.cursor() as cursor:
        # Deferred constraint triggers that together fire on INSERT (4), DELETE (8) and UPDATE (16).
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'revise_data%%' AND t.tgconstraint <> 0 AND t.tgdeferrable AND t.tginitdeferred "
            "GROUP BY c.relname HAVING bit_or(t.tgtype::int) & 28 = 28"
        )
        with_trigger = {name for (name,) in cursor.fetchall()}
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in APPS]
    missing = sorted(
        m._meta.label
        for m in models
        if not m._meta.model_name.startswith("historical")  # written with their rows, which have triggers
        and m._meta.label not in NOT_REVISED
        and m._meta.db_table not in with_trigger
    )
    assert missing == []
    assert "actions_action" in with_trigger and "actions_action_filieres" in with_trigger
