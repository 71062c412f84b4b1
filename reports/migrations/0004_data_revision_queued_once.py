"""The data-revision triggers of the tables that carry their GHT queue one event per GHT and
transaction instead of one per row: their ``WHEN`` condition lets only the first write of each GHT
through (a transaction-local flag, undone with a rolled-back savepoint), so a bulk update of
thousands of actions costs one deferred call at commit, not thousands. The links, the GHT row and
people's rows keep a row trigger (no subquery may stand in a ``WHEN``); the deferred function still
bumps once per GHT and transaction.
"""

from django.db import migrations

FIRST_WRITE = r"""
CREATE OR REPLACE FUNCTION reports_first_write(ght bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    flag text := 'ght_portal.queued_' || ght;
BEGIN
    IF coalesce(current_setting(flag, true), '') = '1' THEN
        RETURN false;
    END IF;
    PERFORM set_config(flag, '1', true);
    RETURN true;
END
$$;
"""

OWN_GHT = [
    "ght_portal_establishment",
    "ght_portal_membership",
    "filieres_filiere",
    "filieres_pilot",
    "filieres_workinggroupmember",
    "actions_plan",
    "actions_axis",
    "actions_objective",
    "actions_action",
    "actions_milestone",
    "actions_indicator",
    "actions_measurement",
    "actions_actionupdate",
    "governance_campaign",
    "governance_checkpointupdate",
    "governance_checkpointmeasurement",
    "governance_snapshot",
    "governance_instance",
    "governance_instancemember",
    "governance_meeting",
    "governance_agendaitem",
    "governance_attendance",
    "governance_decision",
]


def _queued_once(table: str) -> list[str]:
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    return [
        f'DROP TRIGGER IF EXISTS revise_data ON "{table}";',
        f'CREATE CONSTRAINT TRIGGER revise_data AFTER INSERT OR UPDATE ON "{table}" {deferred} '
        "WHEN (reports_first_write(NEW.ght_id)) "
        "EXECUTE FUNCTION reports_revise_data('ght');",
        f'CREATE CONSTRAINT TRIGGER revise_data_delete AFTER DELETE ON "{table}" {deferred} '
        "WHEN (reports_first_write(OLD.ght_id)) EXECUTE FUNCTION reports_revise_data('ght');",
    ]


def _per_row(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS revise_data_delete ON "{table}";',
        f'DROP TRIGGER IF EXISTS revise_data ON "{table}";',
        f'CREATE CONSTRAINT TRIGGER revise_data AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_revise_data('ght');",
    ]


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_data_revision")]

    operations = [
        migrations.RunSQL(
            [FIRST_WRITE, *(sql for table in OWN_GHT for sql in _queued_once(table))],
            reverse_sql=[
                *(sql for table in OWN_GHT for sql in _per_row(table)),
                "DROP FUNCTION reports_first_write(bigint);",
            ],
        ),
    ]
