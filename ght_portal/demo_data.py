"""The demo GHTs, built from the published plans of two GHTs (Lot-et-Garonne and Rouen Cœur de
Seine): establishments as the plans name them.

Each GHT's plan is a workbook in the import format under ``demo/`` (built from the seeds by
``demo/build_demo_plans.py``), loaded by ``load_demo`` through the importer; its pilots get their filière.

Lot-et-Garonne lists its seven establishments at the end of its PMSP (CH Agen-Nérac is the support
establishment); Rouen Cœur de Seine names the CHU de Rouen, the CH du Rouvray, the CH du Belvédère and
its partner association Emergence-s. FINESS numbers are filled only where we know the real one.
"""

from ght_portal.models import Establishment, Region, Role

DEMO_PASSWORD = "demo-GHT-2026!"  # noqa: S105 - published demo credentials, documented in the README

E = Establishment.Kind
R = Establishment.Role

GHTS = [
    {
        "slug": "lot-et-garonne",
        "name": "GHT du Lot-et-Garonne",
        "short_name": "GHT 47",
        "departements": ["47"],
        "region": Region.NAQ,
        "establishments": [
            ("Centre Hospitalier Agen-Nérac", E.CH, "Agen", R.SUPPORT, ""),
            ("Centre Hospitalier Intercommunal Marmande-Tonneins", E.CH, "Marmande", R.MEMBER, ""),
            ("Centre Hospitalier de Casteljaloux", E.PROXIMITE, "Casteljaloux", R.MEMBER, ""),
            ("Centre Hospitalier Départemental La Candélie", E.CHS, "Pont-du-Casse", R.MEMBER, ""),
            ("Pôle de santé Vallée du Lot", E.CH, "Villeneuve-sur-Lot", R.MEMBER, ""),
            ("Centre Hospitalier de Fumel", E.PROXIMITE, "Fumel", R.MEMBER, ""),
            ("Centre Hospitalier de Penne d'Agenais", E.PROXIMITE, "Penne-d'Agenais", R.MEMBER, ""),
        ],
        "people": [
            ("cellule@lot-et-garonne.test", "Claire Dubreuil", "Directrice de la stratégie", Role.OFFICE),
            ("direction@lot-et-garonne.test", "Philippe Marty", "Directeur général", Role.DIRECTOR),
            ("pilote@lot-et-garonne.test", "Dr Sophie Lacombe", "Gériatre, pilote de la filière gériatrie", Role.PILOT),
            ("responsable@lot-et-garonne.test", "Julien Caussade", "Cadre supérieur de santé", Role.OWNER),
            ("lecteur@lot-et-garonne.test", "Nadia Benali", "Attachée d'administration", Role.READER),
        ],
        # Further action owners, so that the demo plan has the variety of a real one.
        "owners": [
            ("dr.garcia@lot-et-garonne.test", "Dr Laurent Garcia", "Chef du service des urgences", Role.OWNER),
            ("m.roques@lot-et-garonne.test", "Martine Roques", "Directrice des soins", Role.OWNER),
            ("dr.bernard@lot-et-garonne.test", "Dr Hélène Bernard", "Psychiatre, CHD La Candélie", Role.OWNER),
            ("s.delmas@lot-et-garonne.test", "Stéphane Delmas", "Directeur des systèmes d'information", Role.OWNER),
            ("c.fabre@lot-et-garonne.test", "Cécile Fabre", "Directrice des ressources humaines", Role.OWNER),
        ],
        "plan": {
            "title": "Projet médico-soignant partagé 2024–2029",
            "start_year": 2024,
            "end_year": 2029,
            "axis_label": "ambition",
            "file": "pmsp-lot-et-garonne-2024-2029.xlsx",
            "pilots": {"GER": "pilote@lot-et-garonne.test"},
        },
    },
    {
        "slug": "rouen-coeur-de-seine",
        "name": "GHT Rouen Cœur de Seine",
        "short_name": "GHT Rouen",
        "departements": ["76"],
        "region": Region.NOR,
        "establishments": [
            ("CHU de Rouen", E.CHU, "Rouen", R.SUPPORT, "760780239"),
            ("Centre Hospitalier du Rouvray", E.CHS, "Sotteville-lès-Rouen", R.MEMBER, ""),
            ("Centre Hospitalier du Belvédère", E.CH, "Mont-Saint-Aignan", R.MEMBER, ""),
            ("Association Emergence-s", E.MEDICO_SOCIAL, "Rouen", R.PARTNER, ""),
        ],
        "people": [
            ("cellule@rouen.test", "Marc Lefebvre", "Direction de la stratégie", Role.OFFICE),
            ("direction@rouen.test", "Isabelle Hamel", "Présidente de la CMG", Role.DIRECTOR),
            ("pilote@rouen.test", "Pr Antoine Vasseur", "PU-PH, pilote de la filière urgences", Role.PILOT),
            ("responsable@rouen.test", "Émilie Duval", "Directrice des soins", Role.OWNER),
            ("lecteur@rouen.test", "Thomas Giraud", "Chargé de mission", Role.READER),
        ],
        "owners": [
            ("dr.lemoine@rouen.test", "Dr Camille Lemoine", "Psychiatre, CH du Rouvray", Role.OWNER),
            ("p.morel@rouen.test", "Pauline Morel", "Sage-femme coordinatrice, CH du Belvédère", Role.OWNER),
            ("dr.leroux@rouen.test", "Dr Nicolas Leroux", "Gériatre, CHU de Rouen", Role.OWNER),
            ("f.petit@rouen.test", "François Petit", "Directeur des affaires médicales", Role.OWNER),
            ("a.renard@rouen.test", "Anne Renard", "Pharmacienne, CHU de Rouen", Role.OWNER),
        ],
        "plan": {
            "title": "Projet médico-soignant partagé 2023–2028",
            "start_year": 2023,
            "end_year": 2028,
            "axis_label": "objectif_majeur",
            "file": "pmsp-rouen-coeur-de-seine-2023-2028.xlsx",
            "pilots": {"URG": "pilote@rouen.test"},
        },
    },
]

# A person of both GHTs (an ARS officer), to show the GHT switcher.
SHARED_PERSON = ("ars@demo.test", "Hélène Roussel", "Chargée de mission ARS", Role.READER)
OPERATOR = ("operateur@ght-portal.test", "Opérateur de la plateforme")
