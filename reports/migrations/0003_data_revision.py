"""The GHT's data revision and the deferred triggers that bump it (see ``reports.revision``).

The list of tables is written here as it stands; a later table read by the figures adds its trigger in
a migration of its own (``tests/test_data_revision.py`` fails until it does).
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = r"""
CREATE OR REPLACE FUNCTION reports_revise_data() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    ghts bigint[];
    ght bigint;
    flag text;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_ARGV[0] = 'ght' THEN
        ghts := ARRAY[changed.ght_id];
        IF TG_OP = 'UPDATE' AND OLD.ght_id IS DISTINCT FROM NEW.ght_id THEN
            ghts := ghts || OLD.ght_id;
        END IF;
    ELSIF TG_ARGV[0] = 'self' THEN
        ghts := ARRAY[changed.id];
    ELSIF TG_ARGV[0] = 'user' THEN
        SELECT array_agg(ght_id) INTO ghts FROM ght_portal_membership WHERE user_id = changed.id;
    ELSE  -- 'parent', table, column: a many-to-many link
        EXECUTE format('SELECT array_agg(ght_id) FROM %I WHERE id = $1', TG_ARGV[1])
            INTO ghts USING (to_jsonb(changed) ->> TG_ARGV[2])::bigint;
    END IF;
    FOREACH ght IN ARRAY coalesce(ghts, '{}') LOOP
        -- Once per GHT and transaction: the flag is local to the committing transaction.
        flag := 'ght_portal.revised_' || ght;
        IF coalesce(current_setting(flag, true), '') <> '1' THEN
            PERFORM set_config(flag, '1', true);
            INSERT INTO reports_datarevision (ght_id, revision)
                SELECT ght, 1 WHERE EXISTS (SELECT 1 FROM ght_portal_ght WHERE id = ght)
                ON CONFLICT (ght_id) DO UPDATE SET revision = reports_datarevision.revision + 1;
        END IF;
    END LOOP;
    RETURN NULL;
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
LINKS = [  # table, parent table, column pointing at the parent
    ("filieres_filiere_establishments", "filieres_filiere", "filiere_id"),
    ("actions_action_filieres", "actions_action", "action_id"),
    ("actions_action_establishments", "actions_action", "action_id"),
    ("actions_action_contributors", "actions_action", "action_id"),
    ("governance_campaign_filieres", "governance_campaign", "campaign_id"),
    ("governance_decision_actions", "governance_decision", "decision_id"),
]


def _trigger(table: str, *args: str) -> str:
    arguments = ", ".join(f"'{arg}'" for arg in args)
    return (
        f'CREATE CONSTRAINT TRIGGER revise_data AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_revise_data({arguments});"
    )


TRIGGERS = (
    [_trigger(table, "ght") for table in OWN_GHT]
    + [_trigger(table, "parent", parent, column) for table, parent, column in LINKS]
    + [_trigger("ght_portal_ght", "self"), _trigger("ght_portal_user", "user")]
)
TABLES = OWN_GHT + [table for table, _, _ in LINKS] + ["ght_portal_ght", "ght_portal_user"]
# Every GHT starts at the revision 1 (a row each), so that the first change after this migration moves it.
SEED = "INSERT INTO reports_datarevision (ght_id, revision) SELECT id, 1 FROM ght_portal_ght ON CONFLICT DO NOTHING;"


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_data_version"),
        ("ght_portal", "0003_apitoken"),
        ("actions", "0004_action_search_vector"),
        ("filieres", "0001_initial"),
        ("governance", "0002_instances"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataRevision",
            fields=[
                (
                    "ght",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ght_portal.ght",
                    ),
                ),
                ("revision", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "révision des données", "verbose_name_plural": "révisions des données"},
        ),
        migrations.RunSQL(
            [FUNCTION, *TRIGGERS, SEED],
            reverse_sql=[f'DROP TRIGGER IF EXISTS revise_data ON "{table}";' for table in TABLES]
            + ["DROP FUNCTION IF EXISTS reports_revise_data();"],
        ),
    ]
