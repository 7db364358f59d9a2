"""Write the sample workbook in data/sample/: a fictional services-and-solutions supplier.

Every company, person and figure is invented. The data is drawn from a seeded
random generator on top of hand-written story accounts (see data/sample/README.md),
so running the script twice writes identical bytes.

Usage:
    python scripts/make_sample.py            # writes data/sample/*.csv
    python scripts/make_sample.py OUT_DIR    # writes somewhere else
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kamnb.workbook.schema import SHEETS  # noqa: E402

SEED = 20261101
AS_OF = dt.date(2026, 11, 1)
PREVIOUS = dt.date(2025, 11, 1)  # the previous portfolio review

# --------------------------------------------------------------------------- our own team

TEAM = {
    "Jana Weber": "account management",
    "Lukas Brandt": "account management",
    "Sofia Marín": "account management",
    "Ingrid Solberg": "executive sponsor",
    "Tomás Novak": "delivery",
    "Henrik Lund": "delivery",
    "Elena Rossi": "consulting",
    "Aylin Kaya": "consulting",
    "Pieter de Wit": "service",
    "Marc Dubois": "finance",
}
SPONSOR = "Ingrid Solberg"
FINANCE = "Marc Dubois"
CONSULTANTS = ["Elena Rossi", "Aylin Kaya"]
DELIVERY = ["Tomás Novak", "Henrik Lund"]
SERVICE = ["Pieter de Wit"]

# --------------------------------------------------------------------------- accounts

# judgement order: growth_potential, strategic_fit, partner_willingness, transparency,
# our_willingness, buy_sell_position, service_demand, responsiveness (None = not judged yet)
J = ("growth_potential", "strategic_fit", "partner_willingness", "transparency",
     "our_willingness", "buy_sell_position", "service_demand", "responsiveness")
NOJ = (None,) * 8

ACCOUNTS = [
    # id, name, industry, country, parent, revenue, previous revenue, margin %, cost to serve,
    # potential 3y, share of wallet %, customer since, account manager, effort days, judgements, goal
    ("ACC-001", "Nordlicht Logistics", "logistics", "Germany", "", 11_850_000, 11_200_000, 5, 1_480_000,
     12_500_000, 55, "2009-03-01", "Jana Weber", 410, (2, 3, 2, 2, 3, 2, 5, 2),
     "Cut Nordlicht's cross-dock time by 20 % by 2028, without adding warehouse staff"),
    ("ACC-002", "Castellan Assurance", "finance", "France", "", 6_048_000, 5_880_000, 25, 310_000,
     6_800_000, 40, "2016-09-01", "Sofia Marín", 160, (3, 4, 3, 3, 4, 3, 3, 3),
     "Bring Castellan's average claim settlement time from 21 to 12 days by the end of 2027"),
    ("ACC-003", "Helvion Group", "high tech", "Switzerland", "", 650_000, 600_000, 31, 60_000,
     1_200_000, 10, "2018-01-15", "Jana Weber", 45, (4, 4, 4, 3, 4, 4, 2, 4),
     "Give Helvion's group board one view of operating costs across all subsidiaries by 2027"),
    ("ACC-004", "Helvion Rail Components", "manufacturing", "Czech Republic", "ACC-003", 2_350_000, 2_050_000, 29, 160_000,
     3_300_000, 35, "2018-06-01", "Lukas Brandt", 120, (4, 4, 4, 4, 4, 4, 3, 4),
     "Raise Helvion Rail's on-time delivery to 98 % across both plants by 2027"),
    ("ACC-005", "Helvion Energy Services", "energy", "Switzerland", "ACC-003", 880_000, 920_000, 24, 75_000,
     1_100_000, 20, "2019-04-01", "Lukas Brandt", 60, (3, 3, 3, 3, 3, 3, 3, 3),
     "Halve Helvion Energy's unplanned turbine outages by 2028"),
    ("ACC-006", "Helvion Digital Labs", "high tech", "Portugal", "ACC-003", 310_000, 180_000, 38, 25_000,
     900_000, 15, "2023-02-01", "Sofia Marín", 30, (4, 5, 4, 4, 4, 3, 2, 4),
     "Help Helvion Digital ship its first customer-facing IoT product by mid-2027"),
    ("ACC-007", "Kestrel Precision Parts", "manufacturing", "Austria", "", 1_450_000, 1_380_000, 27, 95_000,
     1_800_000, 45, "2012-05-01", "Lukas Brandt", 70, (3, 3, 3, 2, 3, 3, 3, 3),
     "Cut Kestrel's scrap rate on the turbine-blade line from 4 % to 2 % by 2027"),
    ("ACC-008", "Aurelia Medical Systems", "healthcare", "Netherlands", "", 1_520_000, 1_310_000, 34, 130_000,
     2_400_000, 50, "2014-10-01", "Jana Weber", 150, (4, 5, 5, 4, 5, 5, 3, 5),
     "Get Aurelia's new imaging devices through EU MDR certification six months faster in 2027"),
    ("ACC-009", "Sunvale Hydrogen", "energy", "Netherlands", "", 175_000, 60_000, 41, 20_000,
     1_850_000, 8, "2024-11-01", "Sofia Marín", 40, (5, 5, 5, 4, 5, 3, 2, 5),
     "Help Sunvale run its electrolyser fleet at 95 % availability as it scales to 1 GW by 2029"),
    ("ACC-010", "Brixham Home Stores", "retail", "United Kingdom", "", 92_000, 105_000, 9, 48_000,
     110_000, 30, "2017-03-01", "Lukas Brandt", 65, (1, 1, 2, 2, 2, 1, 5, 1), ""),
    ("ACC-011", "Marrow & Finch Freight", "logistics", "Belgium", "", 3_100_000, 3_450_000, 18, 240_000,
     3_200_000, 38, "2011-07-01", "Jana Weber", 130, (2, 3, 2, 2, 3, 3, 4, 2),
     "Keep Marrow & Finch's cold-chain shipments within temperature limits 99.5 % of the time by 2027"),
    ("ACC-012", "Østerby Utilities", "energy", "Denmark", "", 1_900_000, 1_750_000, 22, 140_000,
     2_300_000, 30, "2015-02-01", "Lukas Brandt", 85, (3, 4, 3, 3, 4, 3, 3, 3),
     "Cut Østerby's meter-to-bill time from 9 days to 2 by 2028"),
    ("ACC-013", "Quintaro Retail", "retail", "Spain", "", 720_000, 760_000, 21, 55_000,
     800_000, 25, "2016-06-01", "Sofia Marín", 40, (2, 2, 3, 2, 3, 2, 3, 2),
     "Lift Quintaro's online order accuracy to 99.8 % for the 2027 peak season"),
    # a steady base: key today, little growth or strategic fit ahead (the maintain tier)
    ("ACC-014", "Luxora Private Bank", "finance", "Luxembourg", "", 2_600_000, 2_480_000, 26, 150_000,
     3_000_000, 45, "2013-09-01", "Sofia Marín", 110, (2, 2, 4, 3, 4, 4, 3, 5),
     "Let Luxora open a new client account in one day instead of ten by 2027"),
    ("ACC-015", "Valmont Regional Transport Authority", "public sector", "France", "", 1_200_000, 1_150_000, 19, 110_000,
     1_400_000, 30, "2019-01-01", "Sofia Marín", 90, (2, 3, 3, 4, 3, 2, 4, 2),
     "Sell 3 more modules of our ticketing suite to Valmont in 2027"),
    ("ACC-016", "Northmere Hospitals Trust", "healthcare", "United Kingdom", "", 540_000, 500_000, 23, 45_000,
     900_000, 20, "2020-04-01", "Lukas Brandt", 38, (3, 4, 3, 4, 3, 3, 3, 3),
     "Shorten Northmere's patient-transfer waiting time by a third by 2027"),
    ("ACC-017", "Tessaro Foods", "manufacturing", "Italy", "", 980_000, 1_020_000, 26, 70_000,
     1_100_000, 35, "2014-03-01", "Sofia Marín", 55, (2, 3, 3, 3, 3, 3, 2, 3),
     "Give Tessaro full batch traceability from farm to shelf by 2027"),
    ("ACC-018", "Lumenic Semiconductors", "high tech", "Ireland", "", 1_100_000, 820_000, 42, 65_000,
     2_600_000, 20, "2021-05-01", "Jana Weber", 75, (5, 4, 4, 3, 4, 3, 2, 4),
     "Give Lumenic's fab managers wafer-yield figures in real time, not the next morning, by 2027"),
    ("ACC-019", "Vistula Cargo Lines", "logistics", "Poland", "", 460_000, 430_000, 17, 40_000,
     600_000, 15, "2020-08-01", "Lukas Brandt", 30, (3, 2, 3, 3, 3, 2, 3, 3), ""),
    ("ACC-020", "Gemeente Zuiderhaven", "public sector", "Netherlands", "", 380_000, 390_000, 14, 35_000,
     450_000, 40, "2018-11-01", "Jana Weber", 28, (2, 3, 3, 4, 3, 3, 3, 2), ""),
    ("ACC-021", "Arvena Pharma", "healthcare", "Belgium", "", 830_000, 700_000, 33, 50_000,
     1_500_000, 18, "2019-09-01", "Jana Weber", 48, (4, 4, 3, 3, 4, 3, 2, 3),
     "Grow our revenue with Arvena to EUR 1.5M by 2028"),
    ("ACC-022", "Corvid Analytics", "high tech", "Germany", "", 240_000, 210_000, 45, 15_000,
     500_000, 12, "2022-03-01", "Lukas Brandt", 18, (4, 4, None, None, None, None, None, None), ""),
    ("ACC-023", "Nordkapp Seafood Processing", "manufacturing", "Norway", "", 150_000, 165_000, 16, 18_000,
     180_000, 10, "2021-01-01", "Lukas Brandt", 14, (2, 2, 3, 3, 2, 2, 2, 2), ""),
    ("ACC-024", "Maison Verlaine", "retail", "France", "", 310_000, 290_000, 28, 30_000,
     400_000, 22, "2017-10-01", "Sofia Marín", 22, (2, 2, 3, 3, 3, 3, 3, 3), ""),
    ("ACC-025", "Iberflux Energía", "energy", "Spain", "", 560_000, 480_000, 30, 40_000,
     1_000_000, 15, "2020-02-01", "Sofia Marín", 35, (4, 4, 3, 3, 4, 3, 3, 3),
     "Help Iberflux connect 300 MW of new solar parks to the grid on schedule by 2028"),
    ("ACC-026", "Sankt Aurel Versicherung", "finance", "Austria", "", 410_000, 450_000, 20, 32_000,
     450_000, 12, "2016-01-01", "Lukas Brandt", 26, (2, 2, 3, 3, 3, 2, 3, 2), ""),
    ("ACC-027", "Calder Mutual Building Society", "finance", "United Kingdom", "", 120_000, 130_000, 12, 14_000,
     150_000, 8, "2022-06-01", "Lukas Brandt", 10, NOJ, ""),
    ("ACC-028", "Lakeshore County Council", "public sector", "Ireland", "", 70_000, 65_000, 15, 9_000,
     90_000, 5, "2023-05-01", "Sofia Marín", 8, NOJ, ""),
    ("ACC-029", "Harborline Medical Devices", "healthcare", "United States", "", 210_000, 150_000, 37, 22_000,
     700_000, 6, "2023-09-01", "Jana Weber", 20, (4, 3, 3, 2, 3, 2, 2, 3), ""),
    ("ACC-030", "Selvatek Automation", "manufacturing", "Sweden", "", 40_000, 35_000, 44, 5_000,
     80_000, 3, "2024-06-01", "Lukas Brandt", 5, NOJ, ""),
]

STAKEHOLDER_COUNT = {
    "ACC-001": 40, "ACC-002": 10, "ACC-003": 5, "ACC-004": 8, "ACC-005": 5, "ACC-006": 4, "ACC-007": 6,
    "ACC-008": 9, "ACC-009": 5, "ACC-010": 4, "ACC-011": 8, "ACC-012": 7, "ACC-013": 5, "ACC-014": 8,
    "ACC-015": 7, "ACC-016": 5, "ACC-017": 6, "ACC-018": 6, "ACC-019": 4, "ACC-020": 4, "ACC-021": 5,
    "ACC-022": 4, "ACC-023": 4, "ACC-024": 4, "ACC-025": 5, "ACC-026": 4, "ACC-027": 4, "ACC-028": 4,
    "ACC-029": 4, "ACC-030": 3,
}

# --------------------------------------------------------------------------- their people

FIRST_LAST = {
    "de": (["Anna", "Matthias", "Katrin", "Stefan", "Birgit", "Jörg", "Claudia", "Florian", "Sabine", "Tobias",
            "Heike", "Markus", "Nicole", "Ralf", "Ute", "Dominik", "Carina", "Felix"],
           ["Hoffmann", "Krüger", "Schreiber", "Vogel", "Lindner", "Baumann", "Hartmann", "Keller", "Roth",
            "Seidel", "Franke", "Engel", "Haas", "Möller", "Pohl", "Ziegler", "Brandl", "Winkler"]),
    "fr": (["Camille", "Julien", "Claire", "Antoine", "Sophie", "Mathieu", "Élodie", "Nicolas", "Isabelle",
            "Thomas", "Aurélie", "Laurent", "Céline", "Olivier"],
           ["Lefèvre", "Moreau", "Girard", "Fontaine", "Chevalier", "Rousseau", "Mercier", "Blanchard",
            "Garnier", "Lambert", "Faure", "Perrin", "Renaud", "Marchand"]),
    "nl": (["Sanne", "Joost", "Femke", "Bram", "Lotte", "Ruud", "Eline", "Jeroen", "Marieke", "Wouter",
            "Anouk", "Sander"],
           ["de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
            "Peeters", "Hendriks", "Janssens"]),
    "en": (["Emma", "James", "Olivia", "Daniel", "Hannah", "Oliver", "Sarah", "Michael", "Rachel", "Fiona",
            "Gareth", "Niamh", "Ciarán", "Grace"],
           ["Whitfield", "Harrington", "Doyle", "Fletcher", "Marsh", "Ashworth", "Kendall", "O'Brien",
            "Gallagher", "Pennington", "Caldwell", "Sutton", "Rowe", "Brennan"]),
    "es": (["Lucía", "Javier", "Carmen", "Alejandro", "Marta", "Pablo", "Sergio", "Nuria", "Diego", "Ainhoa",
            "Raúl", "Irene"],
           ["Ortega", "Navarro", "Romero", "Serrano", "Ibáñez", "Delgado", "Castro", "Vidal", "Molina",
            "Herrero", "Soler", "Campos"]),
    "it": (["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Valentina", "Davide", "Sara",
            "Matteo"],
           ["Bianchi", "Esposito", "Ricci", "Marchetti", "Ferrara", "Colombo", "Gallo", "Conti", "De Luca",
            "Mancini"]),
    "pt": (["Inês", "João", "Beatriz", "Tiago", "Mariana", "Rui", "Catarina", "Pedro"],
           ["Ferreira", "Costa", "Almeida", "Ribeiro", "Carvalho", "Sousa", "Pinto", "Lopes"]),
}
FULL_NAMES = {
    "cz": ["Petra Dvořáková", "Jakub Horák", "Tereza Kučerová", "Ondřej Procházka", "Lenka Svobodová",
           "Martin Černý", "Pavel Veselý", "Hana Marková", "Tomáš Pokorný", "Eva Benešová"],
    "pl": ["Agnieszka Nowak", "Piotr Zieliński", "Katarzyna Wójcik", "Tomasz Lewandowski", "Marta Kamińska",
           "Michał Szymański"],
    "da": ["Mette Kjær", "Søren Dahl", "Louise Holm", "Anders Mikkelsen", "Camilla Bech", "Rasmus Thorsen",
           "Line Vestergaard", "Jesper Kragh"],
    "no": ["Kari Haugen", "Eirik Solheim", "Silje Berg", "Øyvind Nilsen", "Marit Aas"],
    "se": ["Elin Sjöberg", "Johan Ek", "Karin Wallin", "Fredrik Nyström"],
}
LANGUAGE = {
    "Germany": "de", "Austria": "de", "Switzerland": "de", "France": "fr", "Luxembourg": "fr",
    "Belgium": "nl", "Netherlands": "nl", "United Kingdom": "en", "Ireland": "en", "United States": "en",
    "Spain": "es", "Italy": "it", "Portugal": "pt", "Czech Republic": "cz", "Poland": "pl",
    "Denmark": "da", "Norway": "no", "Sweden": "se",
}
LANGUAGE_OVERRIDE = {"ACC-021": "fr", "ACC-005": "fr"}

TITLES = {  # function -> title per seniority
    "general management": ("Chief Executive Officer", "Managing Director", "Business Unit Manager", "Assistant to the Board"),
    "operations": ("Chief Operating Officer", "Director of Operations", "Operations Manager", "Operations Planner"),
    "finance": ("Chief Financial Officer", "Head of Controlling", "Finance Manager", "Financial Analyst"),
    "IT": ("Chief Information Officer", "Head of IT Infrastructure", "IT Service Manager", "Systems Engineer"),
    "procurement": ("Chief Procurement Officer", "Head of Procurement", "Category Manager", "Buyer"),
    "supply chain": ("Chief Supply Chain Officer", "Director of Supply Chain", "Supply Chain Manager", "Demand Planner"),
    "quality": ("Chief Quality Officer", "Head of Quality", "Quality Manager", "Quality Engineer"),
    "digital": ("Chief Digital Officer", "Head of Digital Transformation", "Product Owner", "Data Analyst"),
    "legal": ("General Counsel", "Head of Legal", "Contract Manager", "Legal Counsel"),
}
SENIORITIES = ("executive", "senior_manager", "manager", "staff")
SITES = ["Hamburg hub", "Bremen", "Leipzig", "Duisburg", "Munich", "Rotterdam gateway", "Vienna", "Poznań"]

PLANS = {
    "champion": [
        "Ask to sponsor the 2027 roadmap in front of their board",
        "Keep in the quarterly business review; share results first",
        "Invite to speak at our customer day in Lyon",
        "Co-write the case study on this year's results",
    ],
    "threat": [
        "Meet one-to-one to understand the objections; bring delivery figures",
        "Executive sponsor to meet and learn the personal agenda",
        "Offer a site visit to a reference customer",
        "Address the open service complaints before the renewal talks",
    ],
    "neutral": [
        "Share the benchmark report and ask for feedback",
        "Include in the next roadmap workshop",
        "Arrange a meeting with our solution architect",
        "Learn the team's priorities for 2027",
    ],
    "low": [
        "Keep informed through the monthly newsletter",
        "Invite to the user group",
        "",
        "",
    ],
}


def our_owners_for(function: str, am: str, rng: random.Random) -> list[str]:
    """Who of ours would naturally own a contact in this function."""
    if function == "general management":
        return [SPONSOR, am] if rng.random() < 0.6 else [am]
    if function == "finance":
        return [FINANCE] if rng.random() < 0.6 else [am]
    if function in ("IT", "digital"):
        return [rng.choice(CONSULTANTS)]
    if function in ("operations", "supply chain", "quality"):
        return [rng.choice(DELIVERY + SERVICE)]
    return [am]


def zone_plan(influence: int, support: int, rng: random.Random) -> str:
    if support >= 4 and influence >= 3:
        return rng.choice(PLANS["champion"])
    if support <= 2 and influence >= 3:
        return rng.choice(PLANS["threat"])
    if influence >= 3:
        return rng.choice(PLANS["neutral"])
    return rng.choice(PLANS["low"])


def day(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


# --------------------------------------------------------------------------- text banks

OFFERINGS = {
    "logistics": ["warehouse management support", "transport control tower", "yard scheduling", "cross-dock analytics"],
    "manufacturing": ["shop-floor data platform", "predictive maintenance", "MES support", "quality analytics"],
    "retail": ["store systems support", "order management platform", "demand forecasting", "e-commerce operations"],
    "healthcare": ["clinical systems support", "device data platform", "regulatory documentation service", "patient-flow analytics"],
    "energy": ["asset monitoring", "grid data platform", "field service management", "meter data management"],
    "finance": ["application management", "claims platform support", "client onboarding workflow", "regulatory reporting"],
    "high tech": ["cloud operations", "data engineering team", "test automation", "IoT platform support"],
    "public sector": ["citizen services portal", "ticketing system support", "records digitisation", "network operations"],
}

QUESTION_IDS = ["process_fit", "buying_process", "budget", "needs_and_wants", "resources", "uniques",
                "preference", "all_influencers", "decision_awareness", "decision_how_when", "would_we_win"]
EVIDENCE = {
    "process_fit": {
        "yes": "Our proposal steps mirror their three-stage sourcing process, agreed with procurement",
        "partly": "We know their RFP steps, but our pilot offer runs ahead of their approval gate",
        "no": "We sent a price before they had written down the requirement",
        "unknown": "",
    },
    "buying_process": {
        "yes": "Head of Procurement walked us through the approval steps and sign-off limits",
        "partly": "Stages known; who signs above EUR 500k is still unclear",
        "no": "New procurement policy since the reorganisation; nobody has explained it to us",
        "unknown": "",
    },
    "budget": {
        "yes": "Budget line seen in their 2027 plan, approved by the CFO",
        "partly": "Money is \"expected\" in the spring budget round, not approved yet",
        "no": "CFO confirmed there is no budget for this in 2027",
        "unknown": "",
    },
    "needs_and_wants": {
        "yes": "Needs and personal wins written down for every person on the grid",
        "partly": "Business needs are clear; personal agendas known for two of five people",
        "no": "We only know what the IT team told us",
        "unknown": "",
    },
    "resources": {
        "yes": "Delivery lead confirmed the team and dates in the resource plan",
        "partly": "Two of the three specialists are free from March; one still to hire",
        "no": "No capacity in the data team before Q3 2027",
        "unknown": "",
    },
    "uniques": {
        "yes": "Their COO said our reusable modules are \"the reason we are talking to you\"",
        "partly": "They like our reference projects, but competitors can show similar ones",
        "no": "They see our offer as interchangeable with two other suppliers",
        "unknown": "",
    },
    "preference": {
        "yes": "Decision-maker told us in the steering meeting that we are preferred",
        "partly": "Friendly signals from our coach; no decision-maker has said it",
        "no": "They said openly that the incumbent is favoured",
        "unknown": "",
    },
    "all_influencers": {
        "yes": "Every person with influence 3+ met this quarter, see contact log",
        "partly": "Finance and procurement met; the works council not yet",
        "no": "We only talk to the project lead",
        "unknown": "",
    },
    "decision_awareness": {
        "yes": "They named the decision, its owner and the deadline in writing",
        "partly": "The pain is felt, but the decision is not on the board agenda yet",
        "no": "They see it as a routine renewal, not a decision",
        "unknown": "",
    },
    "decision_how_when": {
        "yes": "Criteria and signature date (end of quarter) shared by procurement",
        "partly": "Date known; weighting of the criteria not shared",
        "no": "No date and no criteria so far",
        "unknown": "",
    },
    "would_we_win": {
        "yes": "Team vote: 5 of 5 say yes",
        "partly": "Team vote: 3 of 5 say yes, price is the doubt",
        "no": "Team vote: 0 of 5 say yes",
        "unknown": "",
    },
}

INDICATOR_IDS = ["prompt_payment", "executives_at_events", "shared_plans", "top_testimonial", "peer_contact",
                 "trusted_advisor", "mutual_success", "commitments_kept", "joint_ideas", "measurable_value",
                 "their_responsiveness", "our_responsiveness"]
REL_EVIDENCE = {  # indicator -> (low 1-2, middle 3, high 4-5)
    "prompt_payment": ("Invoices paid 60+ days late; two in dispute", "Paid within terms, 30 days on average",
                       "Paid within 14 days all year"),
    "executives_at_events": ("No senior person at our events this year", "Their head of IT came to the innovation day",
                             "COO and CFO attended the customer day, COO spoke"),
    "shared_plans": ("Plans are \"confidential\"; we learn of changes from the press", "They shared the 2027 budget outline",
                     "Three-year business plan shared and discussed with us"),
    "top_testimonial": ("No executive would act as a reference", "Their IT director agreed to reference calls",
                        "CEO quoted us at an industry conference"),
    "peer_contact": ("One contact on each side", "Contacts at management level, not at board level",
                     "Peers meet at board, management and operations level"),
    "trusted_advisor": ("We only hear of decisions when the RFP arrives", "Asked for our view on some projects",
                        "They call us before they decide, e.g. on the new site layout"),
    "mutual_success": ("Neither side can point to a shared result", "One joint result, written up internally",
                       "Joint results published, both sides gained"),
    "commitments_kept": ("SLA missed in four of twelve months", "SLA met, two late deliveries",
                         "All service levels met; delivered the reporting module early"),
    "joint_ideas": ("No joint ideas this year", "One idea from the joint workshop under study",
                    "Two joint ideas in production this year"),
    "measurable_value": ("Value not measured by them", "Savings estimated, not in their numbers",
                         "They report our savings in their own KPI dashboard"),
    "their_responsiveness": ("Access to data takes weeks", "Answers within a week", "Same-day answers and open access"),
    "our_responsiveness": ("Customer complained about slow answers", "We answer within agreed times",
                           "Contact kept outside sales cycles; lessons logged after each visit"),
}

ACTION_TEXT = {
    "consult_advise": [
        "Workshop on their 2027 {offering} roadmap with the operations board",
        "Share a benchmark of peers' {offering} costs, with what it means for them",
        "Propose a joint business case for {offering}",
        "Review their KPI dashboard with the sponsor and agree what we measure",
    ],
    "care_cultivate": [
        "Quarterly business review with the economic buyer",
        "Executive sponsor meeting with their board member",
        "Invite their team to the customer day in Lyon",
        "Introduce our delivery lead to their head of IT",
    ],
    "sell_service": [
        "Submit the renewal proposal for {offering}",
        "Clear the open ticket backlog on {offering}",
        "Settle the disputed invoices from Q2",
        "Run the service-level review and agree next year's targets",
    ],
}
ACTION_OWNERS = {
    "consult_advise": CONSULTANTS + [SPONSOR],
    "care_cultivate": [SPONSOR, "account"],
    "sell_service": ["account"] + SERVICE + DELIVERY,
}

# --------------------------------------------------------------------------- helpers


def fmt(v: object) -> str:
    """Cell text: integers without decimals, dates ISO, None empty."""
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def write(out: Path, sheet: str, rows: list[dict]) -> None:
    cols = SHEETS[sheet].column_names
    frame = pd.DataFrame([[fmt(r.get(c)) for c in cols] for r in rows], columns=cols, dtype=object)
    frame.to_csv(out / f"{sheet}.csv", index=False, lineterminator="\n", encoding="utf-8")


def clamp(x: float) -> int:
    return max(1, min(5, int(round(x))))


def round_to(x: float, step: int = 5000) -> int:
    return max(step, int(round(x / step)) * step)


# --------------------------------------------------------------------------- builders


# Our side of the partnership beyond our_willingness, where the team has judged it:
# account -> (our_transparency, our_growth_commitment). The others leave both empty.
OUR_SIDE = {"ACC-001": (3, 2), "ACC-002": (4, 4), "ACC-008": (5, 5), "ACC-009": (5, 5), "ACC-011": (3, 3), "ACC-012": (3, 4)}


def build_accounts() -> list[dict]:
    rows = []
    for (aid, name, industry, country, parent, rev, prev, margin, cts, pot, sow, since, am, effort,
         judgements, goal) in ACCOUNTS:
        row = dict(account_id=aid, name=name, industry=industry, country=country, parent_id=parent,
                   revenue_12m=rev, revenue_prev_12m=prev, gross_margin_pct=margin, cost_to_serve=cts,
                   revenue_potential_3y=pot, share_of_wallet_pct=sow, customer_since=since,
                   account_manager=am, team_effort_days=effort, account_goal=goal)
        row.update(dict(zip(J, judgements, strict=True)))
        row["our_transparency"], row["our_growth_commitment"] = OUR_SIDE.get(aid, (None, None))
        rows.append(row)
    return rows


def build_stakeholders(rng: random.Random) -> list[dict]:
    rows: list[dict] = []
    used: set[str] = set()
    n_id = 0
    for acc in ACCOUNTS:
        aid, country, am = acc[0], acc[3], acc[12]
        lang = LANGUAGE_OVERRIDE.get(aid, LANGUAGE[country])
        count = STAKEHOLDER_COUNT[aid]
        functions = list(TITLES)
        titles_seen: set[str] = set()
        firsts_seen: set[str] = set()
        lasts_seen: set[str] = set()
        for i in range(count):
            if lang in FIRST_LAST:
                first, last = FIRST_LAST[lang]
                for attempt in range(200):  # prefer first and last names not yet used in this account
                    f, la = rng.choice(first), rng.choice(last)
                    person = f"{f} {la}"
                    fresh = (f not in firsts_seen and la not in lasts_seen) or attempt > 60
                    if person not in used and fresh:
                        break
                firsts_seen.add(f)
                lasts_seen.add(la)
            else:
                person = next(p for p in FULL_NAMES[lang] if p not in used)
            used.add(person)
            # the first few people follow the classic buying centre, the rest are drawn
            if i == 0:
                seniority, function, role = "executive", rng.choice(["general management", "finance"]), "economic_buyer"
            elif i == 1:
                seniority, function, role = rng.choice(["executive", "senior_manager"]), rng.choice(["operations", "supply chain", "digital"]), "decision_maker"
            elif i == 2:
                seniority, function, role = rng.choice(["senior_manager", "manager"]), "IT", "technical_buyer"
            elif i == 3 and count >= 5:
                seniority, function, role = "manager", "procurement", "gatekeeper"
            else:
                seniority = rng.choices(SENIORITIES, weights=[1, 3, 4, 3])[0]
                function = rng.choice(functions)
                role = rng.choices(["user", "influencer", "gatekeeper", "coach", "decision_maker", "technical_buyer"],
                                   weights=[4, 3, 1, 2, 1, 1])[0]
            if function == "general management" and seniority in ("manager", "staff"):
                function = "operations"
            title = TITLES[function][SENIORITIES.index(seniority)]
            if title in titles_seen:  # another function at the same level, else a site of a large account
                free = [f for f in functions if TITLES[f][SENIORITIES.index(seniority)] not in titles_seen
                        and not (f == "general management" and seniority in ("manager", "staff"))]
                if free:
                    function = rng.choice(free)
                    title = TITLES[function][SENIORITIES.index(seniority)]
                else:
                    if seniority == "executive":
                        seniority = "senior_manager"
                    base_title = TITLES[function][SENIORITIES.index(seniority)]
                    sites = SITES[i % len(SITES):] + SITES[: i % len(SITES)]
                    title = next(f"{base_title}, {site}" for site in sites + [f"region {n}" for n in range(1, 40)]
                                 if f"{base_title}, {site}" not in titles_seen)
            titles_seen.add(title)
            base = {"executive": 4.4, "senior_manager": 3.6, "manager": 2.7, "staff": 1.8}[seniority]
            influence = clamp(base + rng.uniform(-1.0, 0.9))
            if role == "economic_buyer":
                influence = max(influence, 4)
            support = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 4, 2])[0]
            owners = our_owners_for(function, am, rng)
            if rng.random() < 0.2 and am not in owners:
                owners.append(am)
            last = day(dt.date(2026, 1, 5), dt.date(2026, 10, 30), rng) if rng.random() < 0.88 else \
                day(dt.date(2025, 6, 1), dt.date(2025, 12, 20), rng)
            if role == "economic_buyer":
                last = day(dt.date(2026, 5, 1), dt.date(2026, 10, 28), rng)
            recent = (AS_OF - last).days < 365
            days_12m = round(influence * rng.uniform(0.8, 3.5)) if recent else 0
            plan = zone_plan(influence, support, rng)
            rows.append(dict(account_id=aid, name=person, title=title, function=function, seniority=seniority,
                             influence=influence, support=support, decision_role=role, contact_owner=owners,
                             last_contact=last, contact_days_12m=days_12m, plan=plan))
            n_id += 1
    apply_stakeholder_stories(rows, rng)
    for n, r in enumerate(rows, 1):
        r["stakeholder_id"] = f"ST-{n:03d}"
        owners = list(dict.fromkeys(r["contact_owner"]))
        r["contact_owner"] = "; ".join(owners)
        r["our_function"] = "; ".join(dict.fromkeys(TEAM[o] for o in owners))
    return rows


def apply_stakeholder_stories(rows: list[dict], rng: random.Random) -> None:
    by_acc: dict[str, list[dict]] = {}
    for r in rows:
        by_acc.setdefault(r["account_id"], []).append(r)

    # 4. bow-tie: every contact runs through the account manager alone
    for r in by_acc["ACC-007"]:
        r["contact_owner"] = ["Lukas Brandt"]
        if r["decision_role"] in ("economic_buyer", "decision_maker"):
            r["support"] = 4
            r["plan"] = "Keep close; all contact runs through Lukas Brandt"
    # 5. diamond: many of our people, by function and seniority, linked to many of theirs
    diamond_owners = {
        "general management": [SPONSOR, "Jana Weber"], "finance": [FINANCE, "Jana Weber"],
        "IT": ["Elena Rossi", "Aylin Kaya"], "digital": ["Aylin Kaya", "Elena Rossi"],
        "operations": ["Tomás Novak", "Pieter de Wit"], "supply chain": ["Henrik Lund", "Tomás Novak"],
        "quality": ["Pieter de Wit", "Henrik Lund"], "procurement": ["Jana Weber", FINANCE],
        "legal": ["Jana Weber", FINANCE],
    }
    for i, r in enumerate(by_acc["ACC-008"]):
        r["contact_owner"] = list(diamond_owners[r["function"]])
        if i % 3 == 0:
            r["contact_owner"].append(SPONSOR if r["seniority"] in ("executive", "senior_manager") else "Henrik Lund")
        if i == 0:
            r.update(influence=5, support=5, plan="Advocate: ask to speak for us at the healthcare IT summit")
        r["last_contact"] = day(dt.date(2026, 7, 1), dt.date(2026, 10, 29), rng)
        r["contact_days_12m"] = max(r["contact_days_12m"], 6)
    # 6. the new director at the time-and-material account
    director = by_acc["ACC-002"][1]
    director.update(title="Director of IT Sourcing (newly appointed, June 2026)", function="procurement",
                    seniority="senior_manager", influence=5, support=2, decision_role="decision_maker",
                    contact_owner=["Sofia Marín"], last_contact=dt.date(2026, 10, 14), contact_days_12m=2,
                    plan="New in the role since June 2026 and asked for 10 % lower daily rates. Meet to learn the real "
                         "objective behind the cut; show the value ratio and offer 38 people instead of 40, "
                         "or fixed-price packages with reusable modules")
    # 11. no contact with the economic buyer, and a powerful threat with no plan
    buyer = by_acc["ACC-012"][0]
    buyer.update(last_contact=None, contact_days_12m=0, plan="")
    threat = by_acc["ACC-012"][1]
    threat.update(title="Head of Grid Operations", function="operations", seniority="senior_manager",
                  influence=5, support=1, decision_role="decision_maker", plan="")
    # 10. the declining account: former supporters have turned sceptical
    for r in by_acc["ACC-011"][:3]:
        r["support"] = 2
        r["plan"] = rng.choice(PLANS["threat"])
    # keep the story flags unique: every other powerful threat has a plan, every other buyer a recent contact
    for r in rows:
        if r is threat:
            continue
        if r["influence"] >= 4 and r["support"] <= 2 and not r["plan"]:
            r["plan"] = rng.choice(PLANS["threat"])
    # make sure every seniority and every decision role appears
    roles_in = {r["decision_role"] for r in rows}
    assert roles_in == {"economic_buyer", "decision_maker", "technical_buyer", "user", "influencer", "gatekeeper", "coach"}, roles_in


def build_opportunities(rng: random.Random) -> list[dict]:
    rows: list[dict] = []
    plan_counts = {"ACC-001": 4, "ACC-002": 3, "ACC-004": 3, "ACC-008": 4, "ACC-009": 3, "ACC-011": 3,
                   "ACC-012": 3, "ACC-014": 4, "ACC-015": 3, "ACC-018": 3}
    for acc in ACCOUNTS:
        aid, industry, rev, am = acc[0], acc[2], acc[5], acc[12]
        n = plan_counts.get(aid, 2 if rev < 300_000 else rng.choice([2, 3]))
        offers = list(OFFERINGS[industry])
        rng.shuffle(offers)
        kinds = ["retain", "grow", "new", "grow"][:n]
        for k, kind in enumerate(kinds):
            offer = offers[k % len(offers)]
            if kind == "retain":
                name, value = f"Renew the {offer} contract", rev * rng.uniform(0.35, 0.8)
            elif kind == "grow":
                name, value = rng.choice([f"Extend {offer} to more sites", f"Add 24/7 cover to {offer}",
                                          f"Add an analytics module to {offer}"]), rev * rng.uniform(0.1, 0.4)
            else:
                name, value = f"New: {offer}", rev * rng.uniform(0.08, 0.35)
            stage = rng.choices(["identified", "qualifying", "proposal", "negotiation"], weights=[2, 4, 3, 2])[0]
            owner = am if kind != "new" or rng.random() < 0.5 else rng.choice(CONSULTANTS)
            close = day(dt.date(2026, 12, 1), dt.date(2028, 3, 31), rng)
            rows.append(dict(account_id=aid, name=name, kind=kind, value=round_to(value), stage=stage,
                             expected_close=close, owner=owner))
    by_acc: dict[str, list[dict]] = {}
    for r in rows:
        by_acc.setdefault(r["account_id"], []).append(r)
    # story opportunities
    by_acc["ACC-009"][2].update(name="Electrolyser fleet monitoring platform", value=650_000, stage="qualifying",
                                expected_close=dt.date(2027, 6, 30), owner="Aylin Kaya")
    by_acc["ACC-014"][2].update(name="Replace the private-banking client portal", value=900_000, stage="proposal",
                                expected_close=dt.date(2027, 3, 31), owner="Sofia Marín")  # qualify out
    by_acc["ACC-002"][0].update(name="Renew the claims application management contract (40 people, T&M)",
                                value=6_048_000, stage="negotiation", expected_close=dt.date(2026, 12, 31))
    by_acc["ACC-001"][0].update(name="Renew the warehouse management support contract, with a new service scope",
                                value=11_000_000, stage="negotiation", expected_close=dt.date(2027, 1, 31))
    by_acc["ACC-004"][0].update(stage="won", expected_close=dt.date(2026, 12, 15))
    by_acc["ACC-017"][1].update(stage="lost", expected_close=dt.date(2026, 12, 10))
    by_acc["ACC-018"][0].update(stage="won", expected_close=dt.date(2026, 12, 20))
    for aid, k in UNQUALIFIED:
        by_acc[aid][k]["stage"] = "identified"
    for n, r in enumerate(rows, 1):
        r["opportunity_id"] = f"OP-{n:03d}"
    # closed grow/new deals of the last two years: the won/lost history the activity plan's
    # conversion rate comes from (numbered after the open ones, so the story ids stay put)
    for aid, name, kind, value, stage, close, owner in CLOSED_DEALS:
        rows.append(dict(opportunity_id=f"OP-{len(rows) + 1:03d}", account_id=aid, name=name, kind=kind, value=value,
                         stage=stage, expected_close=close, owner=owner))
    return rows


CLOSED_DEALS = [
    ("ACC-009", "Pilot: electrolyser performance dashboard", "new", 40_000, "won", dt.date(2025, 3, 14), "Sofia Marín"),
    ("ACC-009", "Add stack-health alerts to the performance dashboard", "grow", 35_000, "won", dt.date(2025, 10, 10), "Aylin Kaya"),
    ("ACC-009", "New: hydrogen offtake forecasting", "new", 90_000, "lost", dt.date(2026, 6, 30), "Aylin Kaya"),
    ("ACC-001", "New: yard management system", "new", 850_000, "lost", dt.date(2026, 4, 30), "Elena Rossi"),
    ("ACC-008", "Add an analytics module to the device data platform pilot", "grow", 210_000, "won", dt.date(2026, 2, 27), "Jana Weber"),
    ("ACC-012", "New: outage communication portal", "new", 180_000, "lost", dt.date(2025, 12, 12), "Lukas Brandt"),
    ("ACC-021", "Extend trial data services to a second site", "grow", 120_000, "won", dt.date(2026, 5, 29), "Jana Weber"),
]

UNQUALIFIED = [("ACC-006", 1), ("ACC-020", 1), ("ACC-025", 1), ("ACC-029", 1)]
QUALIFY_OUT = ("ACC-014", 2)
WITH_HISTORY = [("ACC-001", 1), ("ACC-002", 0), ("ACC-008", 2), ("ACC-009", 2), ("ACC-011", 0)]


def draw_answer(quality: float, rng: random.Random) -> str:
    u = rng.random()
    if u < quality * 0.75:
        return "yes"
    if u < quality * 0.75 + 0.3:
        return "partly"
    if u < quality * 0.75 + 0.45:
        return "unknown"
    return "no"


def build_qualification(opps: list[dict], rng: random.Random) -> list[dict]:
    rows: list[dict] = []
    partner = {a[0]: (a[14][2] or 3) for a in ACCOUNTS}
    index: dict[tuple[str, int], str] = {}
    counter: dict[str, int] = {}
    for o in opps:
        k = counter.get(o["account_id"], 0)
        counter[o["account_id"]] = k + 1
        index[(o["account_id"], k)] = o["opportunity_id"]
    skip = {index[x] for x in UNQUALIFIED}
    out_id = index[QUALIFY_OUT]
    history = {index[x] for x in WITH_HISTORY}
    for o in opps:
        oid = o["opportunity_id"]
        if oid in skip or o["stage"] in ("won", "lost"):
            continue
        quality = min(0.95, max(0.1, 0.12 * partner[o["account_id"]] + rng.uniform(-0.15, 0.35)))
        answers = {q: draw_answer(quality, rng) for q in QUESTION_IDS}
        # A firm "no" on budget or on the litmus question is what qualifies an
        # opportunity out; keep that for the story opportunity, not the random ones.
        for firm in ("budget", "would_we_win"):
            if answers[firm] == "no":
                answers[firm] = "partly"
        if oid == out_id:
            answers.update(budget="no", preference="no", would_we_win="no", uniques="partly",
                           decision_how_when="partly", process_fit="no")
        when = day(dt.date(2026, 8, 1), dt.date(2026, 10, 20), rng)
        who = o["owner"]
        if oid in history:
            earlier = dt.date(2026, 4, 15)
            for q in QUESTION_IDS:
                a = answers[q]
                before = {"yes": "partly", "partly": "unknown", "unknown": "unknown", "no": "no"}[a] if rng.random() < 0.6 else a
                ev = EVIDENCE[q][before] if rng.random() < 0.7 else ""
                rows.append(dict(opportunity_id=oid, question_id=q, answer=before, evidence=ev,
                                 assessed_on=earlier, assessed_by=who))
        for q in QUESTION_IDS:
            a = answers[q]
            ev = EVIDENCE[q][a]
            if oid != out_id and rng.random() < 0.15:
                ev = ""
            if oid == out_id:
                ev = {
                    "budget": "CFO confirmed the portal programme is deferred to 2028; no budget line in 2027",
                    "preference": "Head of Digital said the shortlist favours the incumbent's \"proven platform\"",
                    "would_we_win": "Team vote: 0 of 5 say yes",
                }.get(q, ev or "Asked twice, no clear answer")
            rows.append(dict(opportunity_id=oid, question_id=q, answer=a, evidence=ev,
                             assessed_on=when, assessed_by=who))
    return rows


REL_LEVEL = {  # account -> mean indicator score at the latest assessment
    "ACC-001": 2.6, "ACC-002": 3.3, "ACC-003": 3.8, "ACC-004": 3.9, "ACC-005": 3.1, "ACC-006": 3.6,
    "ACC-007": 3.0, "ACC-008": 4.3, "ACC-009": 3.7, "ACC-010": 2.0, "ACC-012": 3.0, "ACC-013": 2.7,
    "ACC-014": 3.6, "ACC-015": 2.9, "ACC-016": 3.2, "ACC-017": 2.8, "ACC-018": 3.5, "ACC-019": 2.8,
    "ACC-021": 3.3, "ACC-024": 2.9, "ACC-025": 3.2,
}
REL_TWO_DATES = ["ACC-001", "ACC-002", "ACC-004", "ACC-007", "ACC-008", "ACC-009", "ACC-012", "ACC-014",
                 "ACC-015", "ACC-017", "ACC-018"]
REL_GAPS = {"ACC-016": ["top_testimonial", "joint_ideas"], "ACC-019": ["executives_at_events"],
            "ACC-024": ["shared_plans", "top_testimonial", "trusted_advisor"]}
STALE = "ACC-013"
DECLINING = "ACC-011"


def rel_rows(aid: str, scores: dict[str, int], when: dt.date, who: str, rng: random.Random) -> list[dict]:
    rows = []
    for ind in INDICATOR_IDS:
        if ind not in scores:
            continue
        s = scores[ind]
        band = 0 if s <= 2 else (1 if s == 3 else 2)
        ev = REL_EVIDENCE[ind][band] if rng.random() < 0.85 else ""
        rows.append(dict(account_id=aid, indicator_id=ind, score=s, evidence=ev, assessed_on=when, assessed_by=who))
    return rows


def build_relationship(rng: random.Random) -> list[dict]:
    am = {a[0]: a[12] for a in ACCOUNTS}
    rows: list[dict] = []
    for aid in sorted(set(REL_LEVEL) | {DECLINING}):
        who = am[aid]
        if aid == DECLINING:
            early = {ind: clamp(4.1 + rng.uniform(-0.7, 0.7)) for ind in INDICATOR_IDS}
            mid = {ind: max(1, s - (1 if i % 2 == 0 else 0)) for i, (ind, s) in enumerate(early.items())}
            late = {ind: max(1, s - (1 if i % 3 != 2 else 0)) for i, (ind, s) in enumerate(mid.items())}
            for scores, when in ((early, dt.date(2025, 5, 1)), (mid, dt.date(2025, 11, 1)), (late, dt.date(2026, 9, 15))):
                rows += rel_rows(aid, scores, when, who, rng)
            continue
        level = REL_LEVEL[aid]
        latest = {ind: clamp(level + rng.uniform(-1.1, 1.1)) for ind in INDICATOR_IDS}
        for ind in REL_GAPS.get(aid, []):
            del latest[ind]
        if aid == STALE:
            rows += rel_rows(aid, latest, dt.date(2025, 9, 10), who, rng)
            continue
        when = day(dt.date(2026, 6, 1), dt.date(2026, 10, 15), rng)
        if aid in REL_TWO_DATES:
            shift = rng.choice([-1, -1, -1, 0, 1]) if aid != "ACC-009" else -1
            earlier = {ind: clamp(s + (shift if rng.random() < 0.5 else 0)) for ind, s in latest.items()}
            rows += rel_rows(aid, earlier, PREVIOUS, who, rng)
        rows += rel_rows(aid, latest, when, who, rng)
    return rows


STORY_ACTIONS = {
    "ACC-001": [
        ("consult_advise", "Show Nordlicht's COO the cost of the 24/7 on-site cover they ask for, and a leaner option", SPONSOR, "2026-10-15", "in_progress"),
        ("sell_service", "Renegotiate the service scope: remote first-line support, on-site only for priority 1", "Jana Weber", "2026-12-15", "open"),
        ("sell_service", "Stop unbilled change requests: every request through the change board from January", FINANCE, "2026-09-30", "open"),
        ("care_cultivate", "Executive sponsor meeting with Nordlicht's CFO on the margin gap", SPONSOR, "2027-01-20", "open"),
    ],
    "ACC-002": [
        ("consult_advise", "Prepare the value-ratio briefing for the new Director of IT Sourcing before the rate talks", "Sofia Marín", "2026-11-10", "in_progress"),
        ("consult_advise", "Offer options instead of a flat cut: 38 people instead of 40, or fixed-price packages", "Elena Rossi", "2026-11-30", "open"),
        ("care_cultivate", "Executive sponsor lunch with Castellan's CIO", SPONSOR, "2026-10-20", "open"),
    ],
    "ACC-007": [
        ("care_cultivate", "Introduce our delivery lead and finance contact to Kestrel's plant manager and CFO", "Lukas Brandt", "2026-12-05", "open"),
        ("care_cultivate", "Name a second owner for each decision-maker, so Kestrel does not hang on one person", "Lukas Brandt", "2027-01-31", "open"),
    ],
    "ACC-009": [
        ("consult_advise", "Joint roadmap workshop for the 1 GW scale-up", "Aylin Kaya", "2026-12-08", "open"),
        ("sell_service", "Pilot proposal for electrolyser fleet monitoring", "Sofia Marín", "2027-01-15", "open"),
        ("care_cultivate", "Invite Sunvale's CEO to the customer day", SPONSOR, "2026-09-20", "done"),
    ],
    "ACC-010": [
        ("sell_service", "Move Brixham's store-support tickets to the standard service desk tier", "Pieter de Wit", "2026-12-01", "open"),
        ("consult_advise", "Decide with the team whether to keep Brixham on the key-account list", "Lukas Brandt", "2026-10-31", "open"),
    ],
    "ACC-011": [
        ("care_cultivate", "Recovery meeting with Marrow & Finch's COO on the three missed deliveries", "Jana Weber", "2026-10-10", "in_progress"),
        ("sell_service", "Fix the temperature-alarm false positives in the control tower", "Henrik Lund", "2026-09-15", "open"),
        ("consult_advise", "Present the cold-chain compliance review to their quality board", "Elena Rossi", "2026-12-10", "open"),
    ],
    "ACC-012": [
        ("care_cultivate", "Get a first meeting with Østerby's CEO through the executive sponsor", SPONSOR, "2026-11-20", "open"),
        ("sell_service", "Renewal proposal for meter data management", "Lukas Brandt", "2027-02-15", "open"),
    ],
}


def build_actions(rng: random.Random) -> list[dict]:
    rows: list[dict] = []
    no_actions = {"ACC-023", "ACC-027", "ACC-028", "ACC-030"}
    for acc in ACCOUNTS:
        aid, industry, am = acc[0], acc[2], acc[12]
        if aid in no_actions:
            continue
        if aid in STORY_ACTIONS:
            for cat, text, owner, due, status in STORY_ACTIONS[aid]:
                rows.append(dict(account_id=aid, category=cat, action=text, owner=owner,
                                 due=dt.date.fromisoformat(due), status=status))
            continue
        n = rng.choice([2, 3, 3, 4])
        cats = ["consult_advise", "care_cultivate", "sell_service"]
        rng.shuffle(cats)
        for k in range(n):
            cat = cats[k % 3]
            text = rng.choice(ACTION_TEXT[cat]).format(offering=rng.choice(OFFERINGS[industry]))
            owner = rng.choice(ACTION_OWNERS[cat])
            owner = am if owner == "account" else owner
            due = day(dt.date(2026, 8, 1), dt.date(2027, 4, 30), rng)
            if due < AS_OF:
                status = rng.choices(["done", "open", "in_progress", "dropped"], weights=[5, 2, 2, 1])[0]
            else:
                status = rng.choices(["open", "in_progress", "done"], weights=[5, 4, 1])[0]
            rows.append(dict(account_id=aid, category=cat, action=text, owner=owner, due=due, status=status))
    for n, r in enumerate(rows, 1):
        r["action_id"] = f"AC-{n:03d}"
    return rows


def build_value() -> list[dict]:
    cols = ("account_id", "pricing_model", "annual_fees", "value_low", "value_expected", "value_high",
            "contract_years", "team_size", "daily_rate", "days_per_year", "daily_cost", "requested_rate_cut_pct",
            "units_per_year", "unit_price", "unit_cost")
    no_units = (None, None, None)
    table = [
        ("ACC-001", "mixed", 11_850_000, 9_000_000, 13_500_000, 18_000_000, 5, None, None, None, None, 8, *no_units),
        ("ACC-002", "time_material", 40 * 210 * 720, 14_000_000, 21_000_000, 29_000_000, 3, 40, 720, 210, 540, 10, *no_units),
        ("ACC-004", "fixed_price", 2_350_000, 4_000_000, 6_500_000, 9_000_000, 3, None, None, None, None, None, *no_units),
        # products sold by the unit: 2,900 machine licences of the quality-monitoring suite at EUR 500; 8 % off asked
        ("ACC-007", "unit_price", 2_900 * 500, 2_900_000, 4_000_000, 5_200_000, 3, None, None, None, None, 8, 2_900, 500, 365),
        ("ACC-008", "subscription", 1_520_000, 5_000_000, 7_200_000, 10_000_000, 4, None, None, None, None, None, *no_units),
        ("ACC-009", "subscription", 175_000, 600_000, 1_400_000, 3_000_000, 2, None, None, None, None, None, *no_units),
        ("ACC-011", "mixed", 3_100_000, 2_500_000, 3_800_000, 5_200_000, 2, None, None, None, None, 5, *no_units),
        ("ACC-012", "mixed", 1_900_000, 2_600_000, 3_900_000, 5_000_000, 4, None, None, None, None, None, *no_units),
        ("ACC-014", "fixed_price", None, 3_500_000, 5_000_000, 7_500_000, 3, None, None, None, None, None, *no_units),
        ("ACC-018", "fixed_price", 1_100_000, 2_000_000, 3_000_000, 4_500_000, 2, None, None, None, None, None, *no_units),
    ]
    return [dict(zip(cols, row, strict=True)) for row in table]


HISTORY_ACCOUNTS = ["ACC-001", "ACC-002", "ACC-003", "ACC-004", "ACC-007", "ACC-008", "ACC-009", "ACC-010",
                    "ACC-011", "ACC-012", "ACC-014", "ACC-015", "ACC-017", "ACC-018", "ACC-021", "ACC-025"]
HISTORY_MOVES = {  # account -> earlier values that differ from today's
    "ACC-009": {"growth_potential": 3, "strategic_fit": 4, "partner_willingness": 4},
    "ACC-011": {"partner_willingness": 4, "transparency": 4, "growth_potential": 3},
    "ACC-002": {"buy_sell_position": 4, "partner_willingness": 4},
    "ACC-018": {"growth_potential": 4, "strategic_fit": 3},
    "ACC-010": {"strategic_fit": 2, "growth_potential": 2},
    "ACC-001": {"our_willingness": 4},
}


def build_history(rng: random.Random) -> list[dict]:
    acc = {a[0]: a for a in ACCOUNTS}
    rows = []
    for aid in HISTORY_ACCOUNTS:
        a = acc[aid]
        rev, prev = a[5], a[6]
        row = dict(account_id=aid, assessed_on=PREVIOUS, revenue_12m=round_to(prev + (rev - prev) * rng.uniform(0.3, 0.6), 1000))
        for name, value in zip(J[:6], a[14][:6], strict=True):
            row[name] = value
        row.update(HISTORY_MOVES.get(aid, {}))
        rows.append(row)
    return rows


SH_HISTORY_ACCOUNTS = ["ACC-002", "ACC-004", "ACC-007", "ACC-008", "ACC-011", "ACC-012", "ACC-014", "ACC-017"]


def build_stakeholder_history(stakeholders: list[dict], rng: random.Random) -> list[dict]:
    rows = []
    for s in stakeholders:
        aid = s["account_id"]
        if aid not in SH_HISTORY_ACCOUNTS or "newly appointed" in s["title"]:
            continue
        infl, supp = int(s["influence"]), int(s["support"])
        if aid == DECLINING and supp <= 2:
            supp = 4  # supporters a year ago
        elif "Head of Grid Operations" == s["title"]:
            supp = 3
        elif rng.random() < 0.3:
            supp = clamp(supp + rng.choice([-2, -1, 1, 2]))
        if rng.random() < 0.15:
            infl = clamp(infl + rng.choice([-1, 1]))
        rows.append(dict(stakeholder_id=s["stakeholder_id"], assessed_on=PREVIOUS, influence=infl, support=supp))
    return rows


SETTINGS = """\
# Settings of the sample workbook; they override kamnb/defaults/settings.yaml key by key.

# The sample is written as of this date: overdue actions, stale evidence and
# last-contact ages are counted from it, so every report of the sample is repeatable.
as_of: 2026-11-01

# Every amount in the sample is in euros.
currency: EUR
"""


LEVELS = ("executive", "senior_manager", "manager", "staff")
WITH_LINES = ("ACC-001", "ACC-002")
"""Accounts whose stakeholders carry reporting lines in the sample (the others show the chart's note)."""


def reporting_lines(rows: list[dict]) -> None:
    """Give the stakeholders of :data:`WITH_LINES` a manager: the first person one level up in the same
    function, else one level up anywhere in the account; the top is the managing director or chief executive
    (else the first executive), and every executive reports to them. A coach influences the economic buyer."""
    for aid in WITH_LINES:
        people = [r for r in rows if r["account_id"] == aid]
        level = {r["stakeholder_id"]: LEVELS.index(r["seniority"]) if r.get("seniority") in LEVELS else 3 for r in people}
        heads = [r for r in people if any(w in r.get("title", "") for w in ("Managing Director", "Chief Executive", "CEO"))]
        top = (heads or sorted(people, key=lambda r: (level[r["stakeholder_id"]], r["stakeholder_id"])))[0]["stakeholder_id"]
        level[top] = -1  # the head of the organisation: every executive reports to them
        buyer = next((r["stakeholder_id"] for r in people if r.get("decision_role") == "economic_buyer"), "")
        for r in people:
            sid, mine = r["stakeholder_id"], level[r["stakeholder_id"]]
            if sid == top:
                r["reports_to"] = ""
            else:
                above = [p for p in people if level[p["stakeholder_id"]] == mine - 1] or [p for p in people if level[p["stakeholder_id"]] < mine]
                same = [p for p in above if p.get("function") == r.get("function")]
                r["reports_to"] = (same or above or [{"stakeholder_id": top}])[0]["stakeholder_id"] if mine > 0 else top
                if r["reports_to"] == sid:
                    r["reports_to"] = top
            r["influences"] = buyer if r.get("decision_role") == "coach" and buyer and buyer != sid else ""
    for r in rows:
        r.setdefault("reports_to", "")
        r.setdefault("influences", "")


COMPETITORS = ["Axion Consulting", "Brightway Systems", "Nordsoft", "Quanta Services", "Veridian IT"]


def offering_id(name: str) -> str:
    return "OF-" + "".join(w[0] for w in name.replace("/", " ").replace("-", " ").split()).upper()


def build_offerings() -> list[dict]:
    rows, seen = [], set()
    for industry, offers in OFFERINGS.items():
        for name in offers:
            oid = offering_id(name)
            while oid in seen:
                oid += "X"
            seen.add(oid)
            rows.append(dict(offering_id=oid, name=name[0].upper() + name[1:], family=industry, list_price=""))
    return rows


def build_whitespace(offerings: list[dict]) -> list[dict]:
    """The team's whitespace map of the bigger accounts: their industry's offerings x up to three sites.

    A generator of its own, so the other sheets stay exactly as they were.
    """
    rng = random.Random(SEED + 20)
    ids = {o["name"].lower(): o["offering_id"] for o in offerings}
    ids.update({k: ids[k.lower()] for k in [o for offers in OFFERINGS.values() for o in offers]})
    rows = []
    for n, acc in enumerate(ACCOUNTS):
        aid, industry, rev = acc[0], acc[2], acc[5]
        if rev < 1_500_000:
            continue
        units = [""] if rev < 4_000_000 else [SITES[(n + k) % len(SITES)] for k in range(3)]
        for k, offer in enumerate(OFFERINGS[industry]):
            for u, unit in enumerate(units):
                if k == 0:
                    status = "bought"
                else:
                    status = rng.choices(["bought", "lost", "competitor", "not_offered"], weights=[3, 1, 2, 3])[0]
                share = rev / len(units) * rng.uniform(0.06, 0.25)
                current = round_to(share * rng.uniform(0.5, 1.0)) if status == "bought" else 0
                potential = round_to(share * rng.uniform(1.0, 1.6)) if status == "bought" else round_to(share)
                rows.append(dict(account_id=aid, offering_id=ids[offer], business_unit=unit, status=status,
                                 competitor=rng.choice(COMPETITORS) if status == "competitor" else "",
                                 current=current if status == "bought" else "", potential=potential if u or k or rng.random() < 0.8 else "",
                                 note=""))
    return rows


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    accounts = build_accounts()
    stakeholders = build_stakeholders(rng)
    reporting_lines(stakeholders)
    opportunities = build_opportunities(rng)
    qualification = build_qualification(opportunities, rng)
    relationship = build_relationship(rng)
    actions = build_actions(rng)
    value = build_value()
    history = build_history(rng)
    stakeholder_history = build_stakeholder_history(stakeholders, rng)
    write(out, "accounts", accounts)
    write(out, "stakeholders", stakeholders)
    write(out, "opportunities", opportunities)
    write(out, "qualification", qualification)
    write(out, "relationship", relationship)
    write(out, "actions", actions)
    write(out, "value", value)
    write(out, "history", history)
    write(out, "stakeholder_history", stakeholder_history)
    offerings = build_offerings()
    write(out, "offerings", offerings)
    write(out, "whitespace", build_whitespace(offerings))
    (out / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
    print(f"wrote the sample workbook to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "sample")
