"""The export's reference files cleaned: accounts (names tidied, stable ids), the parent tree, products, sales teams.

Every change is logged as a fix, and every row that cannot be used is set
aside with its reason, so the import report accounts for each one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kamnb.crm.mapping import Mapping
from kamnb.crm.read import _clean_labels, _Log, _parse_numbers, _tidy, name_key, slug


def text_column(frame: pd.DataFrame, fld: str) -> pd.Series:
    """The field's column, or empty text on every row when the export has no such column."""
    return frame[fld] if fld in frame else pd.Series("", index=frame.index, dtype=object)


def clean_accounts(frame: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    """The accounts file with names tidied, nameless and repeated names set aside, sector and country cleaned, and ids given."""
    frame = frame.copy()
    original = frame["name"]
    frame["name"] = original.map(_tidy)
    frame["key"] = [name_key(n) for n in frame["name"]]
    nameless = frame["name"] == ""
    dup = ~nameless & frame.duplicated("key", keep="first")
    reasons = np.where(nameless, "no account name", "same account name as an earlier row, ignoring case and spacing (first row kept)")
    aside = (nameless | dup).to_numpy()
    log.set_aside(label, frame.loc[aside, "_row"], original[aside], pd.Series(reasons[aside]))
    frame = frame[~aside].copy()
    tidied = original[~aside] != frame["name"]
    changed = pd.DataFrame({"b": original[~aside][tidied], "a": frame["name"][tidied]})
    pairs = changed.groupby(["b", "a"], sort=True).size()
    for (before, after), n in zip(pairs.index.tolist(), pairs.tolist(), strict=True):
        log.fix(label, mapping.column("accounts", "name") or "name", before, after, n, "spaces tidied")
    for fld, kamnb_col in (("sector", "industry"), ("country", "country")):
        col = mapping.column("accounts", fld) or fld
        frame[kamnb_col] = _clean_labels(text_column(frame, fld), label, col, log, mapping.spelling.get(fld)) if fld in frame else ""
    # ids: a slug of the name; names that give the same slug get -2, -3 ... in alphabetical order of the names
    frame["account_id"] = [slug(n) for n in frame["name"]]
    frame = frame.sort_values(["account_id", "name"], kind="stable")
    used = set(frame["account_id"])
    ids = []
    for base, again in zip(frame["account_id"], frame["account_id"].duplicated(), strict=True):
        new, n = base, 1
        while again and new in used:
            n += 1
            new = f"{base}-{n}"
        used.add(new)
        ids.append(new)
    frame["account_id"] = ids
    return frame.reset_index(drop=True)


def parent_tree(acc: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> np.ndarray:
    """Index of each account's parent (-1 for none); unknown parents and cycles are dropped and logged."""
    n = len(acc)
    parent = np.full(n, -1, dtype=np.int64)
    if "parent" not in acc:
        return parent
    col = mapping.column("accounts", "parent") or "parent"
    by_key = dict(zip(acc["key"], range(n), strict=True))
    names, ids = acc["name"].tolist(), acc["account_id"].tolist()
    unknown: dict[str, int] = {}
    matched: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(acc["parent"].tolist()):
        t = _tidy(raw)
        if not t:
            continue
        j = by_key.get(name_key(t))
        if j is None:
            unknown[raw] = unknown.get(raw, 0) + 1
        elif j == i:
            log.fix(label, col, raw, "", 1, f"an account cannot be its own parent ({names[i]}): link dropped")
        else:
            if names[j] != raw:
                matched[(raw, names[j])] = matched.get((raw, names[j]), 0) + 1
            parent[i] = j
    for (raw, name), c in sorted(matched.items()):
        log.fix(label, col, raw, name, c, "matched to an account name ignoring case and spacing")
    for raw, c in sorted(unknown.items()):
        log.fix(label, col, raw, "", c, "parent is not an account in the export: link dropped")
    # break cycles: drop the link of the alphabetically first account id in each cycle
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the current path, 2 done
    for start in range(n):
        path: list[int] = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = int(parent[node])
        if node >= 0 and state[node] == 1:
            cycle = path[path.index(node):]
            cut = min(cycle, key=lambda k: ids[k])
            circle = " -> ".join(names[k] for k in cycle)
            log.fix(label, col, names[int(parent[cut])], "", 1, f"parent links form a circle ({circle}): link of {names[cut]} dropped")
            parent[cut] = -1
        for k in path:
            state[k] = 2
    return parent


def clean_products(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    """The products file with names cleaned, repeats set aside and list prices read (empty without a products file)."""
    if frame is None:
        return pd.DataFrame({"name": pd.Series(dtype=object), "price": pd.Series(dtype=float), "key": pd.Series(dtype=object)})
    frame = frame.copy()
    frame["name"] = _clean_labels(frame["name"], label, mapping.column("products", "name") or "name", log)
    frame["key"] = [name_key(n) for n in frame["name"]]
    bad = (frame["name"] == "") | frame.duplicated("key", keep="first")
    reason = np.where(frame.loc[bad, "name"] == "", "no product name", "same product as an earlier row: first row kept")
    log.set_aside(label, frame.loc[bad, "_row"], frame.loc[bad, "name"], pd.Series(reason, dtype=object))
    frame = frame[~bad].copy()
    if "price" in frame:
        frame["price"], unreadable = _parse_numbers(frame["price"], mapping.decimal)
        for u in unreadable:
            log.notes.append(f"{label}: price {u!r} is not a number; open deals of that product need an amount of their own.")
    else:
        frame["price"] = np.nan
    return frame.reset_index(drop=True)


def clean_teams(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
    """The sales teams file: owner, manager and region cleaned, one row per person (empty without a teams file)."""
    if frame is None:
        return pd.DataFrame({"owner": pd.Series(dtype=object), "manager": pd.Series(dtype=object), "region": pd.Series(dtype=object)})
    frame = frame.copy()
    for fld in ("owner", "manager", "region"):
        if fld in frame:
            frame[fld] = _clean_labels(frame[fld], label, mapping.column("teams", fld) or fld, log)
        else:
            frame[fld] = ""
    frame["key"] = [name_key(n) for n in frame["owner"]]
    bad = (frame["owner"] == "") | frame.duplicated("key", keep="first")
    reason = np.where(frame.loc[bad, "owner"] == "", "no name", "same person as an earlier row: first row kept")
    log.set_aside(label, frame.loc[bad, "_row"], frame.loc[bad, "owner"], pd.Series(reason, dtype=object))
    return frame[~bad].reset_index(drop=True)
