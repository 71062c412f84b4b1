"""The benchmark data set: 136 GHTs, one of them large (600 actions).

The large GHT has 14 establishments, 15 filières, 60 members, a plan of 5 axes × 4 objectives and
600 actions with three years of history (update log, indicator measurements, historical versions).
The 135 others are small but real, so every query runs against tables of a national size.
Built with bulk inserts in a few seconds; built once, reused while the database is kept.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from actions.models import Action, ActionStatus, ActionUpdate, Axis, Indicator, Measurement, Objective, Plan
from filieres.models import Filiere, Pilot
from ght_portal.actors import system_actor
from ght_portal.models import GHT, Establishment, Membership, Region, Role, User

BIG_SLUG = "bench-grand-ght"
PASSWORD = make_password("bench-mot-de-passe-2026")
STATUSES = [
    ActionStatus.TO_START,
    ActionStatus.IN_PROGRESS,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.SUSPENDED,
]
HEALTHS = list(Action.Health.values)


def _ght(n: int, slug: str | None = None) -> GHT:
    ght = GHT(
        name=f"GHT de banc d'essai {n}",
        short_name=f"Banc {n}",
        slug=slug or f"bench-{n}",
        departements=[f"{(n % 95) + 1:02d}".replace("20", "21")],
        region=Region.NAQ,
    )
    ght._history_user = system_actor()  # the data set is no person's: its history names the system actor
    ght.save()
    return ght


def _users(ght: GHT, count: int, prefix: str) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@{ght.slug}.bench", full_name=f"Personne {i} {ght.short_name}", password=PASSWORD)
        for i in range(count)
    )
    return users


def _plan(
    ght: GHT, rng: random.Random, *, axes: int, objectives: int, actions: int, establishments, filieres, people
) -> list[Action]:
    plan = Plan(ght=ght, title="PMSP 2024–2029", start_year=2024, end_year=2029, status=Plan.Status.ACTIVE)
    plan._history_user = system_actor()
    plan.save()
    axis_rows = Axis.objects.bulk_create(
        Axis(ght=ght, plan=plan, position=i + 1, title=f"Ambition {i + 1}") for i in range(axes)
    )
    objective_rows = Objective.objects.bulk_create(
        Objective(
            ght=ght,
            axis=axis,
            position=j + 1,
            code=f"{axis.position}.{j + 1}",
            title=f"Objectif {j + 1}",
            filiere=rng.choice(filieres) if filieres else None,
        )
        for axis in axis_rows
        for j in range(objectives)
    )
    action_rows = []
    for k in range(actions):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 900))
        action_rows.append(
            Action(
                ght=ght,
                plan=plan,
                objective=objective_rows[k % len(objective_rows)],
                code=f"A-{k + 1}",
                title=f"Action de banc d'essai n° {k + 1}",
                description="Description " * 20,
                lead_establishment=rng.choice(establishments),
                owner=rng.choice(people),
                start_date=start,
                due_date=start + datetime.timedelta(days=rng.randrange(90, 1200)),
                status=rng.choice(STATUSES),
                health=rng.choice(HEALTHS),
                progress=rng.randrange(0, 101, 5),
                prs_references=["E1D2O1"] if k % 3 == 0 else [],
            )
        )
    action_rows = Action.objects.bulk_create(action_rows)
    through = Action.filieres.through
    if filieres:
        through.objects.bulk_create(through(action_id=a.pk, filiere_id=rng.choice(filieres).pk) for a in action_rows)
    involved = Action.establishments.through
    involved.objects.bulk_create(
        involved(action_id=a.pk, establishment_id=e.pk)
        for a in action_rows
        for e in rng.sample(establishments, min(2, len(establishments)))
    )
    return action_rows


def _history(ght: GHT, actions: list[Action], people: list[User], rng: random.Random) -> None:
    """Three years of follow-up: six log entries, two indicators with twelve measures, six versions."""
    now = timezone.now()
    updates, versions = [], []
    HistoricalAction = Action.history.model
    fields = [f.attname for f in Action._meta.concrete_fields if not f.generated]  # search_vector is computed
    for action in actions:
        for step in range(6):
            when = now - datetime.timedelta(days=180 * (6 - step))
            updates.append(
                ActionUpdate(
                    ght=ght,
                    action=action,
                    author=rng.choice(people),
                    created_at=when,
                    text=f"Point d'étape {step + 1} : avancée des travaux.",
                    status=action.status,
                    progress=min(100, step * 15),
                    health=action.health,
                )
            )
            versions.append(
                HistoricalAction(
                    **{name: getattr(action, name) for name in fields},
                    history_date=when,
                    history_type="+" if step == 0 else "~",
                    history_user_id=rng.choice(people).pk,
                )
            )
    ActionUpdate.objects.bulk_create(updates, batch_size=2000)
    HistoricalAction.objects.bulk_create(versions, batch_size=2000)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            ght=ght,
            action=action,
            name=f"Indicateur {i + 1}",
            unit="%",
            baseline=Decimal(10),
            target=Decimal(80),
            target_date=datetime.date(2028, 12, 31),
        )
        for action in actions
        for i in range(2)
    )
    Measurement.objects.bulk_create(
        (
            Measurement(
                ght=ght,
                indicator=indicator,
                measured_on=datetime.date(2024, 1, 15) + datetime.timedelta(days=91 * q),
                value=Decimal(10 + 5 * q),
            )
            for indicator in indicators
            for q in range(12)
        ),
        batch_size=5000,
    )


@transaction.atomic
def build() -> GHT:
    """Build the data set unless it is already there; return the large GHT."""
    existing = GHT.objects.filter(slug=BIG_SLUG).first()
    if existing:
        return existing
    rng = random.Random(2026)
    for n in range(1, 136):
        ght = _ght(n)
        establishments = Establishment.objects.bulk_create(
            Establishment(ght=ght, name=f"CH {n}-{i}", town="Ville", role="support" if i == 0 else "member")
            for i in range(4)
        )
        people = _users(ght, 5, "p")
        Membership.objects.bulk_create(Membership(ght=ght, user=u, role=Role.OWNER) for u in people)
        _plan(ght, rng, axes=3, objectives=2, actions=30, establishments=establishments, filieres=[], people=people)
    big = _ght(136, BIG_SLUG)
    establishments = Establishment.objects.bulk_create(
        Establishment(ght=big, name=f"Centre hospitalier {i}", town="Ville", role="support" if i == 0 else "member")
        for i in range(14)
    )
    filieres = Filiere.objects.bulk_create(Filiere(ght=big, name=f"Filière {i}", code=f"F{i}") for i in range(15))
    people = _users(big, 60, "membre")
    roles = [Role.OFFICE] * 3 + [Role.DIRECTOR] * 10 + [Role.PILOT] * 15 + [Role.OWNER] * 27 + [Role.READER] * 5
    Membership.objects.bulk_create(Membership(ght=big, user=u, role=r) for u, r in zip(people, roles, strict=True))
    pilots = people[13:28]
    Pilot.objects.bulk_create(
        Pilot(ght=big, filiere=f, user=u, pilot_role=Pilot.PilotRole.CH_DOCTOR)
        for f, u in zip(filieres, pilots, strict=True)
    )
    for filiere, user in zip(filieres, pilots, strict=True):
        assign_perm("filieres.pilot_filiere", user, filiere)
    actions = _plan(
        big,
        rng,
        axes=5,
        objectives=4,
        actions=600,
        establishments=establishments,
        filieres=filieres,
        people=people[13:55],
    )
    _history(big, actions, people, rng)
    return big
