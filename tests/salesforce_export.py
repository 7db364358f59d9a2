"""A small Salesforce data export, written the way Salesforce writes one (Setup > Data Export).

One CSV per object, named after the object, headed by the fields' API names,
records linked by 18-character ids; booleans ``true``/``false``; dates ISO;
amounts with a decimal point; the standard sales stages of a new org. Only the
standard fields kamnb reads plus a few it must ignore (IsDeleted, CreatedById,
Probability, ...). Run it to write the fixture to a folder:

    python tests/salesforce_export.py /tmp/sf-export

Example:
    >>> import tempfile, pathlib
    >>> folder = write_salesforce_export(pathlib.Path(tempfile.mkdtemp()))
    >>> sorted(p.name for p in folder.iterdir())
    ['Account.csv', 'Contact.csv', 'Opportunity.csv', 'OpportunityLineItem.csv', 'Product2.csv', 'User.csv']
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path


def sf_id(prefix: str, n: int) -> str:
    """An 18-character id with the object's key prefix (001 Account, 003 Contact, 005 User, ...).

    >>> sf_id("001", 7)
    '0014x00000AbC007AA'
    """
    return f"{prefix}4x00000AbC{n:03d}AA"


USERS = [  # Id, Name, ManagerId, Division
    (sf_id("005", 1), "Grace Hopper", "", "EMEA"),
    (sf_id("005", 2), "Alan Turing", sf_id("005", 1), "EMEA"),
    (sf_id("005", 3), "Ada Lovelace", sf_id("005", 1), "EMEA"),
]
ACCOUNTS = [  # Id, Name, ParentId, Industry, BillingCountry, AnnualRevenue, NumberOfEmployees, OwnerId
    (sf_id("001", 1), "Globex Corporation", "", "Manufacturing", "United States", "125000000", "5400", sf_id("005", 2)),
    (sf_id("001", 2), "Globex Europe GmbH", sf_id("001", 1), "Manufacturing", "Germany", "31000000", "800", sf_id("005", 2)),
    (sf_id("001", 3), "Initech", "", "Technology", "United States", "9800000", "210", sf_id("005", 3)),
    (sf_id("001", 4), "Umbrella Health", "", "Healthcare", "United Kingdom", "54000000", "1900", sf_id("005", 3)),
]
PRODUCTS = [  # Id, Name, ProductCode, Family
    (sf_id("01t", 1), "Analytics Cloud", "AC-100", "Software"),
    (sf_id("01t", 2), "Field Service", "FS-200", "Software"),
    (sf_id("01t", 3), "Premier Support", "PS-300", "Services"),
    (sf_id("01t", 4), "Data Migration", "DM-400", "Services"),
]
# Id, AccountId, Name, StageName, Amount, CloseDate, OwnerId, product number, Probability
OPPORTUNITIES = [
    (1, 1, "Globex - Analytics rollout", "Closed Won", "120000.00", "2024-02-15", 2, 1, "100"),
    (2, 1, "Globex - Premier Support renewal", "Closed Won", "45000.00", "2024-06-30", 2, 3, "100"),
    (3, 1, "Globex - Field Service pilot", "Closed Lost", "60000.00", "2024-04-10", 2, 2, "0"),
    (4, 1, "Globex - Analytics expansion", "Proposal/Price Quote", "80000.00", "2025-03-31", 2, 1, "75"),
    (5, 2, "Globex EU - Data Migration", "Closed Won", "30000.00", "2024-09-20", 2, 4, "100"),
    (6, 2, "Globex EU - Analytics", "Negotiation/Review", "50000.00", "2025-02-28", 3, 1, "90"),
    (7, 3, "Initech - Support", "Closed Won", "15000.00", "2024-11-30", 3, 3, "100"),
    (8, 3, "Initech - Analytics", "Closed Lost", "25000.00", "2024-10-15", 3, 1, "0"),
    (9, 3, "Initech - Field Service", "Qualification", "40000.00", "2025-06-30", 3, 2, "20"),
    (10, 4, "Umbrella - Field Service", "Closed Won", "90000.00", "2024-12-20", 3, 2, "100"),
    (11, 4, "Umbrella - Analytics 2023", "Closed Won", "70000.00", "2023-11-15", 3, 1, "100"),
    (12, 4, "Umbrella - Migration", "Prospecting", "", "2025-09-30", 3, 4, "10"),
]
# Id, AccountId, FirstName, LastName, Title, Department, ReportsTo (contact number), OwnerId
CONTACTS = [
    (1, 1, "Hank", "Scorpio", "Chief Executive Officer", "Executive", 0, 2),
    (2, 1, "Frank", "Grimes", "VP Operations", "Operations", 1, 2),
    (3, 1, "Lenny", "Leonard", "Plant Manager", "Operations", 2, 0),
    (4, 1, "Carl", "Carlson", "IT Director", "IT", 1, 3),
    (5, 3, "Bill", "Lumbergh", "Division VP", "Management", 0, 3),
    (6, 3, "Peter", "Gibbons", "Software Engineer", "IT", 5, 3),
    (7, 4, "Alice", "Abernathy", "Chief Medical Officer", "Clinical", 0, 3),
    (8, 4, "Albert", "Wesker", "Head of Research", "Research", 1, 3),  # reports to a contact at another account: cleared
]


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\r\n")  # Salesforce quotes every field
        w.writerow(header)
        w.writerows(rows)


def write_salesforce_export(folder: Path) -> Path:
    """Write the six object files into ``folder`` (created when missing); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    created = "2023-01-10T09:00:00.000Z"
    _write(folder, "User.csv", ["Id", "Username", "LastName", "FirstName", "Name", "IsActive", "ManagerId", "Division", "CreatedDate"],
           [[i, n.lower().replace(" ", ".") + "@example.com", n.split()[1], n.split()[0], n, "true", m, d, created] for i, n, m, d in USERS])
    _write(folder, "Account.csv", ["Id", "IsDeleted", "MasterRecordId", "Name", "Type", "ParentId", "BillingCity", "BillingCountry", "Phone",
                                   "Industry", "AnnualRevenue", "NumberOfEmployees", "OwnerId", "CreatedDate", "CreatedById"],
           [[i, "false", "", n, "Customer - Direct", p, "", c, "", ind, rev, emp, o, created, USERS[0][0]]
            for i, n, p, ind, c, rev, emp, o in ACCOUNTS])
    _write(folder, "Product2.csv", ["Id", "Name", "ProductCode", "Description", "IsActive", "Family", "CreatedDate"],
           [[i, n, code, "", "true", fam, created] for i, n, code, fam in PRODUCTS])
    _write(folder, "Opportunity.csv", ["Id", "IsDeleted", "AccountId", "IsPrivate", "Name", "StageName", "Amount", "Probability",
                                       "CloseDate", "Type", "IsClosed", "IsWon", "ForecastCategory", "OwnerId", "CreatedDate"],
           [[sf_id("006", n), "false", ACCOUNTS[a - 1][0], "false", name, stage, amount, prob, close, "Existing Customer - Upgrade",
             "true" if stage.startswith("Closed") else "false", "true" if stage == "Closed Won" else "false",
             "Closed" if stage == "Closed Won" else ("Omitted" if stage == "Closed Lost" else "Pipeline"), USERS[o - 1][0], created]
            for n, a, name, stage, amount, close, o, _, prob in OPPORTUNITIES])
    items = []
    for n, _, _, _, amount, _, _, product, _ in OPPORTUNITIES:
        items.append([sf_id("00k", n), sf_id("006", n), PRODUCTS[product - 1][0], "1.00", amount or "", amount or "", "false"])
    items.append([sf_id("00k", 99), sf_id("006", 1), PRODUCTS[3][0], "1.00", "5000.00", "5000.00", "false"])  # a second, smaller line
    _write(folder, "OpportunityLineItem.csv", ["Id", "OpportunityId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice", "IsDeleted"], items)
    _write(folder, "Contact.csv", ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name", "Title", "Department",
                                   "ReportsToId", "Email", "OwnerId", "CreatedDate"],
           [[sf_id("003", n), "false", ACCOUNTS[a - 1][0], last, first, "", f"{first} {last}", title, dept,
             sf_id("003", boss) if boss else "", f"{first.lower()}@example.org", USERS[o - 1][0] if o else "", created]
            for n, a, first, last, title, dept, boss, o in CONTACTS])
    return folder


if __name__ == "__main__":
    print(write_salesforce_export(Path(sys.argv[1] if len(sys.argv) > 1 else "salesforce-export")))
