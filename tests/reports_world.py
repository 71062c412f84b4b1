"""A known data set for the report tests: one GHT with a plan in force, a medical and a support
filière, seven actions whose figures are known, a decision and two closed checkpoints of this year."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from pypdf import PdfReader

from actions.models import Action, Plan
from filieres.models import Filiere, Pilot
from filieres.services import add_pilot
from ght_portal.models import Role
from governance.checkpoints import services as checkpoints
from governance.models import Decision, Instance
from tests.factories import (
    ActionFactory,
    AxisFactory,
    FiliereFactory,
    IndicatorFactory,
    MeasurementFactory,
    ObjectiveFactory,
    PlanFactory,
)

MALICIOUS = "<script>alert(1)</script></table> url(https://evil.example/x.png) « Unité »"


def pdf_text(content: bytes) -> str:
    """The words of the PDF, on one line (layout breaks and no-break spaces folded)."""
    reader = PdfReader(io.BytesIO(content))
    words = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(words.replace("\u202f", " ").replace("\u00a0", " ").split())


class ReportWorld:
    def __init__(self, ght, make_member):
        today = timezone.localdate()
        self.ght = ght
        self.year = today.year
        self.office = make_member(ght, Role.OFFICE, full_name="Claire Cellule")
        self.director = make_member(ght, Role.DIRECTOR, full_name="Denis Directeur")
        self.pilot = make_member(ght, Role.PILOT, full_name="Paula Pilote")
        self.plan = PlanFactory(
            ght=ght, title="PMSP Alpha", status=Plan.Status.ACTIVE, start_year=self.year - 2, end_year=self.year + 3
        )
        self.geriatrics = FiliereFactory(ght=ght, name="Gériatrie", code="GER", kind=Filiere.Kind.MEDICAL)
        self.purchasing = FiliereFactory(ght=ght, name="Achats", code="ACH", kind=Filiere.Kind.SUPPORT)
        add_pilot(
            acting_user=self.office,
            filiere=self.geriatrics,
            user=self.pilot,
            establishment=None,
            pilot_role=Pilot.PilotRole.PU_PH,
        )
        care = ObjectiveFactory(axis=AxisFactory(plan=self.plan, position=1, title="Parcours des personnes âgées"))
        support = ObjectiveFactory(axis=AxisFactory(plan=self.plan, position=2, title="Fonctions support"))
        late_day = today - datetime.timedelta(days=40)
        rows = [
            # code, objective, filière, status, health, progress, due date
            ("GER-1", care, self.geriatrics, Action.Status.DONE, Action.Health.ON_TRACK, 100, None),
            ("GER-2", care, self.geriatrics, Action.Status.IN_PROGRESS, Action.Health.AT_RISK, 40, None),
            ("GER-3", care, self.geriatrics, Action.Status.IN_PROGRESS, Action.Health.ON_TRACK, 20, late_day),
            ("GER-4", care, self.geriatrics, Action.Status.TO_START, Action.Health.ON_TRACK, 0, None),
            ("ACH-1", support, self.purchasing, Action.Status.DONE, Action.Health.ON_TRACK, 100, None),
            ("ACH-2", support, self.purchasing, Action.Status.IN_PROGRESS, Action.Health.OFF_TRACK, 30, None),
            ("ACH-3", support, self.purchasing, Action.Status.SUSPENDED, Action.Health.ON_TRACK, 10, None),
        ]
        self.actions = {}
        for code, objective, filiere, status, health, progress, due in rows:
            action = ActionFactory(
                objective=objective,
                code=code,
                title=f"Action {code}",
                status=Action.Status.IN_PROGRESS,
                health=health,
                progress=progress,
                due_date=due,
                owner=self.pilot,
            )
            action.filieres.add(filiere)
            if status != action.status:  # a real change, so that the history dates the completion
                action.status = status
                action.save()
            self.actions[code] = action
        self.actions["GER-2"].title = MALICIOUS
        self.actions["GER-2"].save()
        indicator = IndicatorFactory(
            action=self.actions["GER-1"], name="Patients vus par l'équipe mobile", baseline=10, target=50
        )
        MeasurementFactory(indicator=indicator, measured_on=today, value=30)
        costrat = Instance.objects.get(ght=ght, kind=Instance.Kind.STRATEGIC)
        cmg = Instance.objects.get(ght=ght, kind=Instance.Kind.CMG)
        Decision.objects.create(
            instance=costrat, decided_on=today, kind=Decision.Kind.VALIDATION, text="Validation du plan achats."
        )
        Decision.objects.create(
            instance=cmg, decided_on=today, kind=Decision.Kind.FAVOURABLE, text="Avis favorable équipes mobiles."
        )

    def close_two_checkpoints(self) -> list:
        """The June and December checkpoints: GER-4 starts between the two (progress 0 → 50)."""
        membership = self.office.memberships.get(ght=self.ght)
        closed = []
        for title, progress in [("Point d'étape de juin", None), ("Point d'étape de décembre", 50)]:
            if progress is not None:
                action = self.actions["GER-4"]
                action.refresh_from_db()
                action.status, action.progress = Action.Status.IN_PROGRESS, progress
                action.save()
            campaign = checkpoints.open_campaign(
                acting_user=self.office,
                membership=membership,
                plan=self.plan,
                title=title,
                deadline=timezone.localdate() + datetime.timedelta(days=1),
                all_filieres=True,
            )
            campaign.deadline = datetime.date(self.year, 6 if progress is None else 12, 15)
            campaign.save(update_fields=["deadline"])
            closed.append(checkpoints.close_campaign(acting_user=self.office, membership=membership, campaign=campaign))
        return closed
