"""Exports that link records by id (Salesforce and the like): ids turned into the names the import matches on, contacts into stakeholders.

A Maven-style export names the account on each deal. A Salesforce data export
links records by id instead: ``Opportunity.AccountId`` is an ``Account.Id``,
``OwnerId`` a ``User.Id``, the product of a deal sits in
``OpportunityLineItem`` rows (``OpportunityId``, ``Product2Id``), and
``Contact.ReportsToId`` names another contact. When the mapping names an
``id`` column, :func:`resolve` replaces each id by the record's name before
the import matches anything, so the rest of the import works on names as
always; an id that names no record is left as it is (and the import then
reports it as an unknown account). :func:`stakeholders` turns the contacts
file into the stakeholders sheet with reporting lines; influence and support
stay empty for the team to judge.

Example:
    >>> import pandas as pd
    >>> frames = {"accounts": pd.DataFrame({"id": ["001A"], "name": ["Acme"], "parent": [""]}),
    ...           "opportunities": pd.DataFrame({"id": ["006X"], "account": ["001A"], "owner": ["005U"]}),
    ...           "teams": pd.DataFrame({"id": ["005U"], "owner": ["Ann Lee"], "manager": [""]}),
    ...           "products": None, "line_items": None, "contacts": None}
    >>> notes = resolve(frames)
    >>> frames["opportunities"][["account", "owner"]].values.tolist()
    [['Acme', 'Ann Lee']]
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd


def _ids(frame: pd.DataFrame | None, name: str = "name") -> dict[str, str]:
    if frame is None or "id" not in frame or name not in frame:
        return {}
    return {str(i).strip(): str(n).strip() for i, n in zip(frame["id"], frame[name], strict=True) if str(i).strip()}


def _swap(series: pd.Series, names: dict[str, str]) -> pd.Series:
    return series.map(lambda v: names.get(str(v).strip(), v))


def resolve(frames: dict[str, pd.DataFrame | None]) -> list[str]:
    """Replace ids by names in place (see the module docstring); return notes for the import report."""
    notes: list[str] = []
    acc, pipe, teams = frames.get("accounts"), frames.get("opportunities"), frames.get("teams")
    products, items = frames.get("products"), frames.get("line_items")
    people = _ids(teams, "owner")
    if teams is not None and people and "manager" in teams:
        teams["manager"] = _swap(teams["manager"], people)
    accounts = _ids(acc)
    if acc is not None and accounts and "parent" in acc:
        acc["parent"] = _swap(acc["parent"], accounts)
    if pipe is not None:
        if accounts and "account" in pipe:
            pipe["account"] = _swap(pipe["account"], accounts)
        if people and "owner" in pipe:
            pipe["owner"] = _swap(pipe["owner"], people)
        if items is not None and "id" in pipe and "product" not in pipe:
            catalogue = _ids(products)
            items = items.copy()
            items["product"] = _swap(items["product"], catalogue)
            amount = pd.to_numeric(items["amount"], errors="coerce").fillna(0.0) if "amount" in items else pd.Series(0.0, index=items.index)
            items["_amount"] = amount
            main = items.sort_values(["opportunity", "_amount"], ascending=[True, False], kind="stable").drop_duplicates("opportunity")
            product = dict(zip(main["opportunity"].astype(str).str.strip(), main["product"], strict=True))
            pipe["product"] = [product.get(str(i).strip(), "") for i in pipe["id"]]
            several = int((items.groupby("opportunity").size() > 1).sum())
            notes.append(f"Products of deals come from the line items ({len(items):,} rows)"
                         + (f"; {several} deal(s) have several, the largest line counts." if several else "."))
    if accounts:
        notes.append(f"Records are linked by id: {len(accounts):,} account id(s)" + (f", {len(people):,} user id(s)" if people else "")
                     + " turned into names.")
    return notes


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-") or "contact"


def stakeholders(contacts: pd.DataFrame | None, frames: dict[str, pd.DataFrame | None], account_ids: dict[str, str],
                 key: Any, columns: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
    """The contacts file as the stakeholders sheet: ids kept, account by name, reporting lines inside one account.

    ``account_ids`` maps ``key(account name)`` to the workbook's account id;
    ``key`` is the import's name comparison. Contacts at an account the
    import does not know are left out (a note counts them); a ``reports_to``
    naming a contact that is not kept, or one at another account, is cleared.

    Example:
        >>> c = pd.DataFrame({"id": ["c1", "c2"], "account": ["Acme", "Acme"], "first_name": ["Ann", "Bo"], "last_name": ["Lee", "Chen"],
        ...                   "reports_to": ["", "c1"], "_row": [2, 3]})
        >>> st, notes = stakeholders(c, {}, {"acme": "acme"}, str.lower, ["stakeholder_id", "account_id", "name", "reports_to"])
        >>> st.values.tolist()
        [['c1', 'acme', 'Ann Lee', ''], ['c2', 'acme', 'Bo Chen', 'c1']]
    """
    if contacts is None or contacts.empty:
        return None, []
    notes: list[str] = []
    c = contacts.copy()
    accounts = _ids(frames.get("accounts"))
    c["account"] = _swap(c["account"], accounts)
    c["account_id"] = [account_ids.get(key(str(a).strip()), "") for a in c["account"]]
    unknown = int((c["account_id"] == "").sum())
    if unknown:
        notes.append(f"{unknown} contact(s) are at no account of the import and are left out of stakeholders.csv.")
    c = c[c["account_id"] != ""].copy()
    if "name" in c and (c["name"].astype(str).str.strip() != "").any():
        names = c["name"].astype(str).str.strip()
    else:
        blank = pd.Series("", index=c.index, dtype=object)
        first = c["first_name"].astype(str) if "first_name" in c else blank
        last = c["last_name"].astype(str) if "last_name" in c else blank
        names = (first + " " + last).str.split().str.join(" ")
    c["name"] = names
    raw_id = c["id"].astype(str).str.strip() if "id" in c else pd.Series([f"contact-{r}" for r in c["_row"]], index=c.index)
    c["stakeholder_id"] = [_slug(i) for i in raw_id]
    c = c[c["name"] != ""].drop_duplicates("stakeholder_id")
    by_raw = dict(zip(raw_id.reindex(c.index), c["stakeholder_id"], strict=True))
    acc_of = dict(zip(c["stakeholder_id"], c["account_id"], strict=True))
    boss = [by_raw.get(str(b).strip(), "") for b in (c["reports_to"] if "reports_to" in c else [""] * len(c))]
    cleared = sum(1 for s, b, r in zip(c["stakeholder_id"], boss, c.get("reports_to", [""] * len(c)), strict=True)
                  if str(r).strip() and (not b or acc_of.get(b) != acc_of[s] or b == s))
    c["reports_to"] = [b if b and acc_of.get(b) == acc_of[s] and b != s else "" for s, b in zip(c["stakeholder_id"], boss, strict=True)]
    if cleared:
        notes.append(f"{cleared} reports-to link(s) name a contact that is not kept or works elsewhere; they are left empty.")
    people = _ids(frames.get("teams"), "owner")
    out = pd.DataFrame({col: pd.Series([""] * len(c), dtype=object) for col in columns})
    out["stakeholder_id"] = c["stakeholder_id"].to_numpy()
    out["account_id"] = c["account_id"].to_numpy()
    out["name"] = c["name"].to_numpy()
    for src, dst in (("title", "title"), ("function", "function")):
        if src in c and dst in out:
            out[dst] = c[src].astype(str).str.strip().to_numpy()
    if "owner" in c and "contact_owner" in out:
        out["contact_owner"] = _swap(c["owner"], people).astype(str).to_numpy()
    if "reports_to" in out:
        out["reports_to"] = c["reports_to"].to_numpy()
    for judged in ("influence", "support"):
        if judged in out:
            out[judged] = np.nan
    lines = int((out["reports_to"] != "").sum()) if "reports_to" in out else 0
    notes.append(f"{len(out)} contact(s) became stakeholders, {lines} with a reporting line; influence and support are left for the team to judge.")
    return out.sort_values(["account_id", "stakeholder_id"]).reset_index(drop=True), notes
