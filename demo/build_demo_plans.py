"""Build the two demo plans, in the import format, from the seed texts of the PMSP.

    .venv/bin/python demo/build_demo_plans.py [--seeds ../shared/seeds]

Writes ``demo/pmsp-lot-et-garonne-2024-2029.xlsx`` and ``demo/pmsp-rouen-coeur-de-seine-2023-2028.xlsx``,
which are committed: ``manage.py load_demo`` imports them through the importer and never reads the
seeds. Everything the seeds say is taken from them (ambitions / objectifs majeurs, objectives,
actions, filières); what they do not say (owners, dates, statuses, progress, indicators) is drawn
with a seeded random generator, so that running the script again gives the same files.
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import os
import random
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "demo"
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
# The state of the plans "as of" this date: statuses, progress and measurements are drawn up to it.
AS_OF = datetime.date(2026, 11, 1)


def setup_django() -> None:
    """Only the model labels are needed: point the settings at a database that is never opened."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ght_portal.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://unused@127.0.0.1:1/unused")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    import django

    django.setup()


def clean(text: str) -> str:
    text = text.replace("[bookmark: _GoBack]", "")
    return " ".join(text.split()).strip()


def sentence_case_item(text: str) -> str:
    return clean(text).rstrip(" ;,.")


# --- Parsing the seeds ---------------------------------------------------------------------------


LOT_AMBITION_STARTS = {
    # The extracted PDF puts some page titles before and some after their page: the first objective
    # of each ambition, in the order of the plan's own list of ambitions, is the reliable boundary.
    "Soutenir le déploiement des équipes mobiles": 1,
    "Renforcer l’usage de la télémédecine": 2,
    "Renforcer l’offre de soins en gériatrie": 3,
    "Développer les temps partagés au sein du GHT": 4,
}


def _is_noise(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return (
        not letters
        or line.startswith(("Nos actions", "Projet médico-soignant partagé du GHT", "N O T", "D ’ A C T"))
        or "".join(letters) == "".join(letters).upper()
    )


def parse_lot_et_garonne(text: str) -> dict:
    intro = text[text.index("porte quatre") : text.index("Fondé sur")]
    ambitions = [sentence_case_item(part) for part in intro.split("·")[1:]]
    body = text[text.index("D ’ A C T I O N") : text.index("N O T E S")]
    objectives: list[dict] = []
    current: dict | None = None  # the item (objective or action) that continuation lines extend
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(">"):
            current = {"title": line[1:].strip(), "actions": []}
            objectives.append(current)
        elif line.startswith(". "):
            current = {"title": line[2:].strip()}
            objectives[-1]["actions"].append(current)
        elif _is_noise(line):
            current = None
        elif current is not None:
            current["title"] += " " + line
    ambition = 0
    for objective in objectives:
        objective["title"] = clean(objective["title"])
        for action in objective["actions"]:
            action["title"] = clean(action["title"])
        for start, number in LOT_AMBITION_STARTS.items():
            if objective["title"].startswith(start):
                ambition = number
        if ambition == 0:
            raise SystemExit(f"Objective before the first ambition: {objective['title']}")
        objective["ambition"] = ambition
    assert len(ambitions) == 4, ambitions
    assert {o["ambition"] for o in objectives} == {1, 2, 3, 4}
    return {"ambitions": ambitions, "objectives": objectives}


# Each numbered action of Rouen under one of the six objectifs majeurs (the seed lists both, not the
# link between them: this is the demo's reading of the plan).
ROUEN_ACTION_AXIS = {
    1: 1, 2: 1, 4: 1, 8: 1, 10: 1, 11: 1, 12: 1, 14: 1, 16: 1, 17: 1, 18: 1, 19: 1, 20: 1,
    5: 2, 9: 2, 13: 2, 15: 2, 22: 2, 25: 2,
    3: 3, 7: 3, 21: 3, 23: 3, 24: 3,
    6: 4,
    26: 5,
    27: 6, 28: 6, 29: 6,
}  # fmt: skip
ROUEN_FILIERE_CODES = {
    "urgences": ("URG", "medical"),
    "personnes âgées": ("PA", "medical"),
    "femme-mère-enfant": ("FME", "medical"),
    "psychiatrie": ("PSY", "medical"),
    "rééducation": ("REH", "medical"),
    "maladies chroniques": ("MC", "medical"),
    "plateaux": ("PMT", "support"),
    "attractivité": ("ATT", "support"),
}


def _objective_from_explanation(explanation: str) -> str:
    """« Il s’agit d’organiser les parcours…, notamment… » → « Organiser les parcours… »."""
    text = re.sub(r"^Il s’agit (de |d’)?", "", clean(explanation))
    text = re.sub(r"^(\w+) et de ", r"\1 et ", text)  # « apporter et de conforter » → « apporter et conforter »
    text = re.split(r", (?:notamment|en s’appuyant|de manière|d’initier)", text)[0].rstrip(" .")
    return text[:1].upper() + text[1:]


def parse_rouen(text: str) -> dict:
    head = text[text.index("six objectifs majeurs") : text.index("#UN PROJET PORTÉ")]
    axes: list[dict] = []
    for raw in head.splitlines():
        line = raw.strip()
        if line.startswith(">"):
            axes.append({"title": sentence_case_item(line[1:]), "explanation": ""})
        elif line.startswith("Il s’agit") and axes:
            axes[-1]["explanation"] = clean(line)
    for axis in axes:
        axis["objective"] = _objective_from_explanation(axis["explanation"])
    body = text[text.index("# 29 ACTIONS") : text.index("#MODALITÉS")]
    filieres: list[dict] = []
    actions: list[dict] = []
    for raw in body.splitlines():
        line = clean(raw)
        if not line:
            continue
        if line.startswith("Filière "):
            name = line.removeprefix("Filière ")
            code, kind = next(v for k, v in ROUEN_FILIERE_CODES.items() if k in name.lower())
            filieres.append({"code": code, "name": name[:1].upper() + name[1:], "kind": kind})
        elif match := re.match(r"^(\d+)- (.*)$", line):
            actions.append({"number": int(match[1]), "title": match[2].rstrip(" ."), "filiere": filieres[-1]["code"]})
        elif actions and filieres:
            actions[-1]["description"] = (actions[-1].get("description", "") + " " + line).strip()
    assert len(axes) == 6 and len(filieres) == 8 and [a["number"] for a in actions] == list(range(1, 30))
    return {"axes": axes, "filieres": filieres, "actions": actions}


# --- What the seeds do not say: owners, dates, follow-up -----------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class FollowUp:
    """Draws plausible, reproducible follow-up data for the actions of one plan."""

    def __init__(self, slug: str, start_year: int, end_year: int):
        self.rng = random.Random(slug)  # noqa: S311 - reproducible demo data, not secrets
        self.start_year, self.end_year = start_year, end_year

    def dates(self) -> tuple[datetime.date, datetime.date]:
        rng = self.rng
        start = datetime.date(self.start_year + rng.choice([0, 0, 1, 1, 1, 2, 3]), rng.choice([1, 3, 4, 6, 9, 10]), 1)
        due = min(add_months(start, rng.choice([12, 18, 24, 30, 36, 48]) - 1), datetime.date(self.end_year, 12, 31))
        return start, due

    def state(self, start: datetime.date, due: datetime.date) -> dict:
        rng = self.rng
        if start > AS_OF:
            status = "à lancer"
        elif due < AS_OF:
            status = rng.choices(["réalisée", "en cours", "suspendue", "abandonnée"], [60, 30, 6, 4])[0]
        else:
            status = rng.choices(["en cours", "à lancer", "suspendue"], [82, 10, 8])[0]
        elapsed = max(0.0, min(1.0, (AS_OF - start).days / max(1, (due - start).days)))
        progress = {
            "à lancer": 0,
            "réalisée": 100,
        }.get(status)
        if status in {"suspendue", "abandonnée"}:
            progress = max(5, int(elapsed * rng.uniform(0.3, 0.8) * 100) // 5 * 5)
        if progress is None:
            progress = int(max(5, min(95, elapsed * 100 + rng.uniform(-20, 10))) // 5 * 5)
        late = status in {"en cours", "suspendue", "à lancer"} and due < AS_OF
        if status == "réalisée":
            health = "en bonne voie"
        elif status in {"suspendue", "abandonnée"} or late:
            health = rng.choices(["à risque", "en difficulté"], [45, 55])[0]
        else:
            health = rng.choices(["en bonne voie", "à risque", "en difficulté"], [72, 20, 8])[0]
        # When it was done or stopped: drawn from its own dates (no draw of the generator, so that
        # everything else the script draws stays as it was).
        done_on = min(due, AS_OF) - datetime.timedelta(days=start.toordinal() % 45) if status == "réalisée" else None
        stopped = status in {"suspendue", "abandonnée"}
        stopped_on = start + (AS_OF - start) * 3 // 5 if stopped else None
        return {
            "status": status,
            "progress": progress,
            "health": health,
            "done_on": max(done_on, start) if done_on else None,
            "stopped_on": stopped_on,
        }

    def extras(self) -> dict:
        rng = self.rng
        row: dict = {"priority": rng.choices(["haute", "moyenne", "basse"], [30, 50, 20])[0]}
        if rng.random() < 0.35:
            row["prs_references"] = sorted(
                {f"E{rng.randint(1, 5)}D{rng.randint(1, 4)}O{rng.randint(1, 5)}" for _ in range(rng.randint(1, 2))}
            )
        if rng.random() < 0.25:
            row["funding_source"] = rng.choice(["FIR (fonds d'intervention régional)", "appel à projets ARS",
                                                "fonds propres"])  # fmt: skip
            row["funding_amount"] = rng.randrange(20_000, 250_000, 5_000)
        return row

    def contributors(self, people: list[str], owner: str) -> list[str]:
        others = [person for person in people if person != owner]
        return sorted(self.rng.sample(others, self.rng.choice([0, 1, 1, 2])))


INDICATOR_MODELS = [
    (("télémédecine", "téléexpertise"), "Téléconsultations et téléexpertises par trimestre", "actes", 40, 400),
    (("entrées directes", "entrée directe"), "Part des entrées directes des patients âgés", "%", 12, 30),
    (("urgences",), "Durée moyenne de passage aux urgences", "heures", Decimal("6.5"), 4),
    (("formation", "former", "formations"), "Professionnels formés", "professionnels", 0, 150),
    (("ipa", "pratiques avancées"), "IPA en exercice dans le GHT", "IPA", 2, 12),
    (("consultations avancées",), "Consultations avancées réalisées par an", "consultations", 300, 1200),
    (("recrutement", "attractivité", "marque employeur", "démographie"), "Postes médicaux vacants", "postes", 25, 10),
    (("dpi", "dossier", "systèmes d’information"), "Établissements raccordés au dossier patient commun",
     "établissements", 1, 4),
    (("pharmac", "pui"), "Lits couverts par l’analyse pharmaceutique", "%", 35, 80),
]  # fmt: skip
DEFAULT_INDICATOR = ("Étapes du plan d’action réalisées", "%", 0, 100)


def indicator_rows(follow: FollowUp, code: str, text: str, start, due, progress: int) -> tuple[list, list]:
    lowered = text.lower()
    name, unit, baseline, target = next(
        ((n, u, b, t) for words, n, u, b, t in INDICATOR_MODELS if any(word in lowered for word in words)),
        DEFAULT_INDICATOR,
    )
    baseline, target = Decimal(baseline), Decimal(target)
    indicator = {"action_code": code, "name": name, "unit": unit, "baseline": baseline, "target": target,
                 "target_date": due}  # fmt: skip
    measures = []
    day = datetime.date(start.year, 6, 30) if start.month <= 6 else datetime.date(start.year, 12, 31)
    last = min(AS_OF, due)
    total_days = max(1, (last - start).days)
    while day <= last:
        share = (day - start).days / total_days * progress / 100
        noise = follow.rng.uniform(-0.05, 0.05)
        value = baseline + (target - baseline) * Decimal(str(round(max(0.0, min(1.0, share + noise)), 3)))
        value = value.quantize(Decimal("0.1") if unit in {"%", "heures"} else Decimal(1))
        period = "juin" if day.month == 6 else "décembre"
        measures.append({"action_code": code, "indicator": name, "measured_on": day, "value": value,
                         "comment": f"Point d’étape de {period} {day.year}"})  # fmt: skip
        day = datetime.date(day.year, 12, 31) if day.month == 6 else datetime.date(day.year + 1, 6, 30)
    return [indicator], measures


# --- The two plans ---------------------------------------------------------------------------------

LOT_FILIERES = [
    # code, name, kind, words of the seed that put an action in it
    ("GER", "Gériatrie", "médicale", ("gériatri", "personnes âgées", "personne âgée", "patients âgés", "sujets âgés")),
    ("URG", "Urgences et soins non programmés", "médicale", ("urgence", "soins non programmés", "samu", "sas 47")),
    ("PSY", "Psychiatrie et santé mentale", "médicale", ("psychiatr", "souffrance psychique")),
    ("NEURO", "Neurologie", "médicale", ("neurolog", "avc", "neuro-vasculaire")),
    ("CHIR", "Chirurgie", "médicale", ("chirurgi",)),
    ("ONCO", "Cancérologie", "médicale", ("cancer", "carcinolog", "onco-")),
    ("PERI", "Périnatalité", "médicale", ("périnatalité", "sages-femmes")),
    ("ADDICTO", "Addictologie", "médicale", ("addictolog",)),
    ("DENT", "Soins dentaires", "médicale", ("dentaire",)),
    ("PUI", "Pharmacie à usage intérieur", "support", ("pharmacie", "pui ")),
    ("BIO", "Biologie médicale", "support", ("biologie",)),
    ("IMAG", "Imagerie médicale", "support", ("radiologie",)),
]
LOT_TOWNS = {
    "nérac": "Centre Hospitalier Agen-Nérac",
    "fumel": "Centre Hospitalier de Fumel",
    "penne": "Centre Hospitalier de Penne d'Agenais",
    "casteljaloux": "Centre Hospitalier de Casteljaloux",
    "villeneuvois": "Pôle de santé Vallée du Lot",
    "marmande": "Centre Hospitalier Intercommunal Marmande-Tonneins",
}
LOT_SUPPORT = "Centre Hospitalier Agen-Nérac"
LOT_OWNERS = {
    "GER": "pilote@lot-et-garonne.test",
    "URG": "dr.garcia@lot-et-garonne.test",
    "PSY": "dr.bernard@lot-et-garonne.test",
    4: "c.fabre@lot-et-garonne.test",  # ambition 4: attractiveness, human resources
}
LOT_TOPIC_OWNERS = [
    (("DPI", "télémédecine", "téléexpertise", "portail", "interfaçage", "outils", "IA", "Viatrajectoire"),
     "s.delmas@lot-et-garonne.test"),
    (("IPA", "délégation", "formations", "sages-femmes", "soignant"), "m.roques@lot-et-garonne.test"),
]  # fmt: skip
LOT_OTHER_OWNERS = ["responsable@lot-et-garonne.test", "m.roques@lot-et-garonne.test", "cellule@lot-et-garonne.test"]


def lot_filieres(text: str) -> list[str]:
    lowered = f"{text.lower()} "
    return [code for code, _name, _kind, words in LOT_FILIERES if any(word in lowered for word in words)]


def lot_rows(seed: dict, people: list[str], establishments: list[str]) -> dict:
    follow = FollowUp("lot-et-garonne", 2024, 2029)
    actions, indicators, measures = [], [], []
    per_ambition: dict[int, int] = {}
    used_filieres: dict[str, set[str]] = {}
    for objective in seed["objectives"]:
        ambition = objective["ambition"]
        per_ambition[ambition] = per_ambition.get(ambition, 0) + 1
        objective_code = f"{ambition}.{per_ambition[ambition]}"
        for index, action in enumerate(objective["actions"], start=1):
            code = f"{objective_code}.{index}"
            text = f"{objective['title']} {action['title']}".lower()
            # The filières the action names; else those the objective names before its « pour … ».
            filieres = lot_filieres(action["title"]) or lot_filieres(objective["title"].split(" pour ")[0])
            owner = next((LOT_OWNERS[c] for c in filieres if c in LOT_OWNERS), None)
            topic = next((email for words, email in LOT_TOPIC_OWNERS if any(w in action["title"] for w in words)), None)
            owner = owner or topic or LOT_OWNERS.get(ambition) or follow.rng.choice(LOT_OTHER_OWNERS)
            lead = "Centre Hospitalier Départemental La Candélie" if "PSY" in filieres else LOT_SUPPORT
            if lead == LOT_SUPPORT and follow.rng.random() < 0.25:
                lead = "Centre Hospitalier Intercommunal Marmande-Tonneins"
            involved = {name for town, name in LOT_TOWNS.items() if town in action["title"].lower()}
            if "territoire" in text or "GHT" in action["title"]:
                involved |= set(follow.rng.sample(establishments, follow.rng.randint(1, 3)))
            involved.discard(lead)
            start, due = follow.dates()
            state = follow.state(start, due)
            title, description = action["title"], ""
            if len(title) > 300:
                cut = title.rfind(", ", 0, 250)
                title, description = title[:cut], title
            row = {
                "axis_number": ambition,
                "axis_title": seed["ambitions"][ambition - 1],
                "objective_code": objective_code,
                "objective_title": objective["title"],
                "code": code,
                "title": title,
                "description": description,
                "filieres": filieres,
                "lead_establishment": lead,
                "establishments": sorted(involved),
                "owner": owner,
                "contributors": follow.contributors(people, owner),
                "start_date": start,
                "due_date": due,
                **state,
                **follow.extras(),
            }
            actions.append(row)
            for filiere in filieres:
                used_filieres.setdefault(filiere, set()).update({lead, *involved})
            if state["status"] != "à lancer" and follow.rng.random() < 0.35:
                more = indicator_rows(follow, code, text, start, due, state["progress"])
                indicators += more[0]
                measures += more[1]
    filiere_rows = [
        {"code": code, "name": name, "kind": kind, "establishments": sorted(used_filieres.get(code, ()))}
        for code, name, kind, _words in LOT_FILIERES
    ]
    return {"Filières": filiere_rows, "Actions": actions, "Indicateurs": indicators, "Mesures": measures}


ROUEN_ESTABLISHMENTS = {
    "chu": "CHU de Rouen",
    "rouvray": "Centre Hospitalier du Rouvray",
    "belvédère": "Centre Hospitalier du Belvédère",
    "emergence-s": "Association Emergence-s",
}
ROUEN_LEADS = {"PSY": "Centre Hospitalier du Rouvray", "FME": "Centre Hospitalier du Belvédère"}
ROUEN_OWNERS = {
    "URG": ["pilote@rouen.test", "responsable@rouen.test"],
    "PA": ["dr.leroux@rouen.test"],
    "FME": ["p.morel@rouen.test"],
    "PSY": ["dr.lemoine@rouen.test"],
    "REH": ["responsable@rouen.test"],
    "MC": ["responsable@rouen.test", "dr.leroux@rouen.test"],
    "PMT": ["a.renard@rouen.test", "cellule@rouen.test"],
    "ATT": ["f.petit@rouen.test"],
}
ROUEN_FILIERE_DESCRIPTIONS = {
    "URG": "Accès aux soins non programmés, entrées directes, lien avec le SAMU 76A.",
    "PSY": "Apporte ses compétences spécifiques à chaque parcours patients du territoire.",
}


def rouen_rows(seed: dict, people: list[str]) -> dict:
    follow = FollowUp("rouen-coeur-de-seine", 2023, 2028)
    filiere_names = {filiere["code"]: filiere["name"].lower() for filiere in seed["filieres"]}
    by_title: dict[str, dict] = {}
    actions, indicators, measures = [], [], []
    used: dict[str, set[str]] = {}
    for action in seed["actions"]:
        shared = by_title.get(action["title"])
        if shared is not None:
            # The same action listed in a second filière under another number: one action, two filières.
            shared["filieres"].append(action["filiere"])
            shared["description"] += (
                f"\n\nAction commune à deux filières : n° {shared['code'].lstrip('0')} de la filière "
                f"{filiere_names[shared['filieres'][0]]}, n° {action['number']} de la filière "
                f"{filiere_names[action['filiere']]}."
            )
            second_lead = ROUEN_LEADS.get(action["filiere"])
            if second_lead and second_lead != shared["lead_establishment"]:
                shared["establishments"] = sorted({*shared["establishments"], second_lead})
            used.setdefault(action["filiere"], set()).update({shared["lead_establishment"], *shared["establishments"]})
            continue
        axis = seed["axes"][ROUEN_ACTION_AXIS[action["number"]] - 1]
        axis_number = ROUEN_ACTION_AXIS[action["number"]]
        code = f"{action['number']:02d}"
        lead = ROUEN_LEADS.get(action["filiere"], "CHU de Rouen")
        text = f"{action['title']} {action.get('description', '')}"
        involved = {name for word, name in ROUEN_ESTABLISHMENTS.items() if word in text.lower()} - {lead}
        owner = follow.rng.choice(ROUEN_OWNERS[action["filiere"]])
        start, due = follow.dates()
        state = follow.state(start, due)
        row = {
            "axis_number": axis_number,
            "axis_title": axis["title"],
            "objective_code": f"{axis_number}.1",
            "objective_title": axis["objective"],
            "code": code,
            "title": action["title"],
            "description": action.get("description", ""),
            "filieres": [action["filiere"]],
            "lead_establishment": lead,
            "establishments": sorted(involved),
            "owner": owner,
            "contributors": follow.contributors(people, owner),
            "start_date": start,
            "due_date": due,
            **state,
            **follow.extras(),
        }
        by_title[action["title"]] = row
        actions.append(row)
        used.setdefault(action["filiere"], set()).update({lead, *involved})
        if state["status"] != "à lancer" and follow.rng.random() < 0.45:
            more = indicator_rows(follow, code, text, start, due, state["progress"])
            indicators += more[0]
            measures += more[1]
    filiere_rows = [
        {
            "code": filiere["code"],
            "name": filiere["name"],
            "kind": "support" if filiere["kind"] == "support" else "médicale",
            "description": ROUEN_FILIERE_DESCRIPTIONS.get(filiere["code"], ""),
            "establishments": sorted(used.get(filiere["code"], ())),
        }
        for filiere in seed["filieres"]
    ]
    return {"Filières": filiere_rows, "Actions": actions, "Indicateurs": indicators, "Mesures": measures}


def people_of(spec: dict) -> list[str]:
    from ght_portal.models import Role

    return [email for email, _n, _t, role in [*spec["people"], *spec.get("owners", [])] if role != Role.READER]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    args = parser.parse_args()
    setup_django()
    from actions.spreadsheet.workbook import write_workbook
    from ght_portal import demo_data

    specs = {spec["slug"]: spec for spec in demo_data.GHTS}
    lot_seed = parse_lot_et_garonne((args.seeds / "pmsp-lot-et-garonne-2024-2029.txt").read_text())
    lot_establishments = [name for name, *_rest in specs["lot-et-garonne"]["establishments"]]
    lot = lot_rows(lot_seed, people_of(specs["lot-et-garonne"]), lot_establishments)
    rouen_seed = parse_rouen((args.seeds / "pmsp-rouen-coeur-de-seine-2023-2028.txt").read_text())
    rouen = rouen_rows(rouen_seed, people_of(specs["rouen-coeur-de-seine"]))
    for slug, sheets in (("lot-et-garonne-2024-2029", lot), ("rouen-coeur-de-seine-2023-2028", rouen)):
        path = DEMO_DIR / f"pmsp-{slug}.xlsx"
        path.write_bytes(write_workbook(sheets))
        counts = ", ".join(f"{len(rows)} {name.lower()}" for name, rows in sheets.items())
        print(f"{path.relative_to(ROOT)} : {counts}")


if __name__ == "__main__":
    main()
