"""Turn a CRM export into a kamnb workbook: ``kamnb import-crm EXPORT_DIR --out WORKBOOK``.

An account team starts from what its CRM knows. The import reads the export's
accounts, opportunities, products and team files (the layout comes from a
mapping, see :mod:`kamnb.crm.mapping`), cleans what a person would clean, and
derives the figures the workbook needs from the deal history:

- revenue over the last 12 months and the 12 before, from won deals, counted
  back from the newest close date of a won or lost deal (``as_of``);
- the open pipeline as the workbook's opportunities;
- won and lost counts, win rate, breadth of the range bought, open pipeline
  value and group roll-ups in ``crm_figures.csv`` (the loader does not read it);
- the account manager: the person with the most deals on the account, ties
  going to the larger won value, then to the name in alphabetical order.

The judgements a CRM cannot know (willingness to partner, strategic fit, ...)
are left empty for the workshop. Every fix and every row set aside is listed in
``import_report.md``; ``set_aside.csv`` names each set-aside row. The export
folder is only read; each output file is written atomically.

Example:
    >>> from kamnb.crm.build import slug
    >>> slug("Gekko & Co")
    'gekko-co'
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from kamnb.crm.mapping import Mapping, load_mapping
from kamnb.crm.read import _clean_labels, _factor, _Log, _parse_dates, _parse_numbers, _take, _tidy, name_key, read_file, slug
from kamnb.crm.report import write
from kamnb.crm.result import OUTCOMES, WRITTEN, ImportResult
from kamnb.errors import CrmImportError
from kamnb.workbook.schema import SHEETS

# Where each pipeline row goes, in the order of the reconciliation table.






# --------------------------------------------------------------------------- small helpers


# --------------------------------------------------------------------------- reading


def _text(frame: pd.DataFrame, fld: str) -> pd.Series:
    return frame[fld] if fld in frame else pd.Series("", index=frame.index, dtype=object)


# --------------------------------------------------------------------------- building


def _accounts(frame: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
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
        frame[kamnb_col] = _clean_labels(_text(frame, fld), label, col, log, mapping.spelling.get(fld)) if fld in frame else ""
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


def _parents(acc: pd.DataFrame, label: str, mapping: Mapping, log: _Log) -> np.ndarray:
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


def _products(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
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


def _teams(frame: pd.DataFrame | None, label: str, mapping: Mapping, log: _Log) -> pd.DataFrame:
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


def build(frames: dict[str, pd.DataFrame | None], mapping: Mapping, labels: dict[str, str] | None = None) -> ImportResult:
    """Build the workbook tables from export files already read (see :func:`read_file`).

    Example:
        >>> res = build(frames, load_mapping())  # doctest: +SKIP
        >>> len(res.accounts)  # doctest: +SKIP
        85
    """
    from kamnb.crm.ids import resolve, stakeholders

    labels = {k: (labels or {}).get(k) or (mapping.files.get(k) or k) for k in ("accounts", "opportunities", "products", "teams", "line_items",
                                                                             "contacts")}
    log = _Log()
    log.notes.extend(resolve(frames))
    raw_acc, pipe = frames["accounts"], frames["opportunities"]
    assert raw_acc is not None and pipe is not None
    input_rows = {labels[k]: len(f) for k, f in frames.items() if f is not None}
    acc = _accounts(raw_acc, labels["accounts"], mapping, log)
    parent = _parents(acc, labels["accounts"], mapping, log)
    products = _products(frames.get("products"), labels["products"], mapping, log)
    teams = _teams(frames.get("teams"), labels["teams"], mapping, log)
    result = _pipeline(pipe, acc, parent, products, teams, mapping, labels, log)
    result.input_rows = input_rows
    from kamnb.crm.feed import feed

    deals = result.deals if result.deals is not None else pd.DataFrame({"account_id": [], "product": [], "owner": []})
    boss = dict(zip(teams["key"], teams["manager"], strict=True)) if len(teams) else {}
    managers = {str(o): boss.get(name_key(str(o)), "") for o in set(deals["owner"])}
    result.products = products
    result.feed = feed(result.accounts, deals, products, result.figures, managers, result.as_of)
    teams_of = result.feed["teams"]
    result.accounts["account_team"] = [teams_of.get(a, "") for a in result.accounts["account_id"]]
    ids = {name_key(str(n)): a for n, a in zip(result.accounts["name"], result.accounts["account_id"], strict=True)}
    result.stakeholders, notes = stakeholders(frames.get("contacts"), frames, ids, name_key, SHEETS["stakeholders"].column_names)
    result.notes.extend(notes)
    return result


def _pipeline(pipe: pd.DataFrame, acc: pd.DataFrame, parent: np.ndarray, products: pd.DataFrame, teams: pd.DataFrame,
              mapping: Mapping, labels: dict[str, str], log: _Log) -> ImportResult:
    label = labels["opportunities"]
    col = lambda f: mapping.column("opportunities", f) or f  # noqa: E731
    rows = pipe["_row"].to_numpy()
    ids = pipe["id"].map(str.strip) if "id" in pipe else pd.Series([f"{Path(label).stem}-{r}" for r in rows], dtype=object)
    ids = ids.reset_index(drop=True)

    # stage words -> won / lost / open and the kamnb stage
    s_codes, s_uniques, s_counts = _factor(pipe["stage"])
    meaning = [mapping.stage_of(u) for u in s_uniques]
    outcome = _take(s_codes, [m[0] if m else "" for m in meaning])
    kstage = _take(s_codes, [m[1] if m else "" for m in meaning])
    stage_words = pd.DataFrame({"word": s_uniques, "outcome": [m[0] if m else "not in the mapping: set aside" for m in meaning],
                                "stage": [m[1] if m and m[0] == "open" else "" for m in meaning], "rows": s_counts})

    # accounts, matched ignoring case and spacing
    a_codes, a_uniques, a_counts = _factor(pipe["account"])
    by_key = dict(zip(acc["key"], range(len(acc)), strict=True))
    acc_names = acc["name"].tolist()
    a_index = []
    unknown_accounts: list[tuple[str, int]] = []
    for u, c in zip(a_uniques, a_counts, strict=True):
        t = _tidy(u)
        j = by_key.get(name_key(t), -1) if t else -1
        if j >= 0 and acc_names[j] != u:
            log.fix(label, col("account"), u, acc_names[j], c, "matched to an account name ignoring case and spacing")
        if j < 0 and t:
            unknown_accounts.append((t, int(c)))
        a_index.append(j)
    acct = _take(a_codes, a_index, float)
    acct = np.where(np.isnan(acct), -1, acct).astype(np.int64)
    has_account_text = _take(a_codes, [bool(_tidy(u)) for u in a_uniques], bool)

    # products, matched to the products file ignoring case and spacing
    catalogue = dict(zip(products["key"], products["name"], strict=True))
    product = _clean_labels(_text(pipe, "product"), label, col("product"), log, canonical=catalogue).reset_index(drop=True)
    owner = _clean_labels(_text(pipe, "owner"), label, col("owner"), log).reset_index(drop=True)
    close, bad_close = _parse_dates(_text(pipe, "close_date"), mapping.date_format)
    value, bad_value = _parse_numbers(_text(pipe, "close_value"), mapping.decimal)
    if bad_close:
        log.notes.append(f"{label}: {len(bad_close)} close date value(s) could not be read as dates, e.g. {bad_close[:3]}.")
    if bad_value:
        log.notes.append(f"{label}: {len(bad_value)} close value(s) could not be read as numbers, e.g. {bad_value[:3]}.")
    if "engage_date" in pipe:
        _engage, bad_engage = _parse_dates(pipe["engage_date"], mapping.date_format)
        if bad_engage:
            log.notes.append(f"{label}: {len(bad_engage)} engage date value(s) could not be read, e.g. {bad_engage[:3]} (not used in any figure).")

    # as of: the newest close date of a won or lost deal
    closed = (outcome == "won") | (outcome == "lost")
    dated = close[closed & ~np.isnat(close)]
    if not len(dated):
        raise CrmImportError(f"{label}: no won or lost deal with a readable close date in column {col('close_date')!r}; "
                             "the last 12 months cannot be placed")
    as_of = pd.Timestamp(dated.max())
    first_close = pd.Timestamp(dated.min())
    start12 = as_of - pd.DateOffset(months=12)
    start24 = as_of - pd.DateOffset(months=24)
    windows = {"last_12m": (start12 + pd.Timedelta(days=1), as_of), "prev_12m": (start24 + pd.Timedelta(days=1), start12)}

    # list price for open deals without an amount
    price_by_key = dict(zip(products["key"], products["price"], strict=True))
    p_codes, p_uniques, _ = _factor(product)
    price = _take(p_codes, [price_by_key.get(name_key(u), np.nan) for u in p_uniques], float)
    open_value = np.where(np.isnan(value), price, value)

    # one reason per set-aside row, first that applies
    dup = ids.duplicated(keep="first").to_numpy() & (ids.to_numpy(dtype=object) != "")
    conditions = [
        dup,
        outcome == "",
        ~has_account_text,
        acct < 0,
        (outcome == "won") & np.isnat(close),
        (outcome == "won") & np.isnan(value),
        (outcome == "open") & np.isnan(open_value),
    ]
    reasons = [
        "opportunity id already used on an earlier row",
        "stage word not in the mapping's stages",
        "no account (kept out of account figures)",
        "account not in the accounts file",
        "won deal without a readable close date",
        "won deal without a readable close value",
        "open deal with no amount and no list price",
    ]
    why = np.select(conditions, reasons, default="")
    aside = why != ""
    if aside.any():
        detail = why[aside].astype(object)
        odd = detail == reasons[1]
        detail[odd] = [f"{reasons[1]}: {_tidy(w)!r}" for w in pipe["stage"].to_numpy(dtype=object)[aside][odd]]
        log.set_aside(label, pd.Series(rows[aside]), ids[aside], pd.Series(detail))
    for t, c in sorted(unknown_accounts):
        log.notes.append(f"{label}: account {t!r} ({c} row(s)) is not in the accounts file; those rows are set aside.")

    keep = ~aside
    won = keep & (outcome == "won")
    lost = keep & (outcome == "lost")
    is_open = keep & (outcome == "open")
    in12 = (close > np.datetime64(start12)) & (close <= np.datetime64(as_of))
    inprev = (close > np.datetime64(start24)) & (close <= np.datetime64(start12))
    where = np.select([won & in12, won & inprev, won, lost, is_open], [k for k, _ in OUTCOMES], default="set_aside")

    na = len(acc)
    idx = np.where(keep, acct, 0)

    def per_account(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else np.nan_to_num(weights[mask])
        return np.bincount(idx[mask], weights=w, minlength=na)[:na]

    revenue_12m = per_account(won & in12, value)
    revenue_prev = per_account(won & inprev, value)
    won_n, lost_n = per_account(won), per_account(lost)
    won_12m_n, lost_12m_n = per_account(won & in12), per_account(lost & in12)
    open_n = per_account(is_open)
    open_total = per_account(is_open, open_value)

    # breadth of the range bought, and grow/new for open deals
    prod_key = _take(p_codes, [name_key(u) for u in p_uniques])
    k_codes, k_uniques = pd.factorize(prod_key)
    n_k = max(len(k_uniques), 1)
    pair = idx.astype(np.int64) * n_k + k_codes
    won_pairs = np.unique(pair[won & (k_codes >= 0) & (prod_key != "")])
    bought = np.bincount(won_pairs // n_k, minlength=na)[:na]
    in_range = len(products) if len(products) else len({k for k in k_uniques if k})
    kind = np.where(np.isin(pair, won_pairs), "grow", "new")

    # account manager: most deals, then larger won value, then name
    with_owner = keep & (owner.to_numpy(dtype=object) != "")
    o_codes, o_uniques = pd.factorize(owner.to_numpy(dtype=object)[with_owner])
    per = pd.DataFrame({"acct": idx[with_owner], "owner": o_codes, "won_value": np.where(won[with_owner], np.nan_to_num(value[with_owner]), 0.0)})
    per = per.groupby(["acct", "owner"], sort=False).agg(deals=("won_value", "size"), won_value=("won_value", "sum")).reset_index()
    per["name"] = np.asarray(o_uniques, dtype=object)[per["owner"].to_numpy()] if len(per) else pd.Series(dtype=object)
    per = per.sort_values(["acct", "deals", "won_value", "name"], ascending=[True, False, False, True]).drop_duplicates("acct")
    manager = np.full(na, "", dtype=object)
    manager_deals = np.zeros(na, dtype=np.int64)
    manager[per["acct"].to_numpy()] = per["name"].to_numpy()
    manager_deals[per["acct"].to_numpy()] = per["deals"].to_numpy()

    first_won = pd.Series(close[won]).groupby(idx[won]).min().reindex(range(na))
    last_won = pd.Series(close[won]).groupby(idx[won]).max().reindex(range(na))

    # coverage of the two windows by the export
    prev_known = first_close <= start12
    if first_close > start12 + pd.Timedelta(days=1):
        log.notes.append(f"The export's first closed deal is on {first_close.date()}, after the start of the last 12 months "
                         f"({(start12 + pd.Timedelta(days=1)).date()}): revenue_12m covers only {first_close.date()} to {as_of.date()}.")
    if not prev_known:
        log.notes.append("The export holds no closed deal in the 12 months before "
                         f"({(start24 + pd.Timedelta(days=1)).date()} to {start12.date()}): revenue_prev_12m is unknown and left empty, not zero.")
    elif first_close > start24 + pd.Timedelta(days=1):
        log.notes.append(f"The export's closed deals start on {first_close.date()}, inside the 12 months before: revenue_prev_12m covers only part of them.")

    # groups: roll revenue up to every ancestor
    group_rev = revenue_12m.astype(float).copy()
    group_prev = revenue_prev.astype(float).copy()
    root = np.arange(na)
    for i in range(na):
        j = int(parent[i])
        while j >= 0:
            group_rev[j] += revenue_12m[i]
            group_prev[j] += revenue_prev[i]
            root[i] = j
            j = int(parent[j])
    subsidiaries = np.bincount(parent[parent >= 0], minlength=na)[:na]

    team_of = dict(zip(teams["key"], zip(teams["manager"], teams["region"], strict=True), strict=True)) if len(teams) else {}
    mkeys = [team_of.get(name_key(m), ("", "")) for m in manager]
    team_manager = [t[0] for t in mkeys]
    region = [t[1] for t in mkeys]
    if team_of:
        missing = sorted({o for o in o_uniques if name_key(o) not in team_of})
        if missing:
            log.notes.append(f"{len(missing)} deal owner(s) are not in {labels['teams']}, e.g. {missing[:3]}: their manager and region stay empty.")

    ids_arr = acc["account_id"].to_numpy(dtype=object)
    accounts = pd.DataFrame({c: pd.Series([""] * na, dtype=object) for c in SHEETS["accounts"].column_names})
    accounts["account_id"] = ids_arr
    accounts["name"] = acc["name"].to_numpy(dtype=object)
    accounts["industry"] = acc["industry"].to_numpy(dtype=object) if "industry" in acc else ""
    accounts["country"] = acc["country"].to_numpy(dtype=object) if "country" in acc else ""
    accounts["parent_id"] = np.where(parent >= 0, ids_arr[np.maximum(parent, 0)], "")
    accounts["revenue_12m"] = revenue_12m
    accounts["revenue_prev_12m"] = revenue_prev if prev_known else np.nan
    accounts["account_manager"] = manager
    accounts = accounts.sort_values("account_id").reset_index(drop=True)

    o = np.flatnonzero(is_open)
    prod_o = product.to_numpy(dtype=object)[o]
    opportunities = pd.DataFrame({
        "opportunity_id": ids.to_numpy(dtype=object)[o],
        "account_id": ids_arr[acct[o]],
        "name": np.where(prod_o != "", prod_o, ["Opportunity " + str(i) for i in ids.to_numpy(dtype=object)[o]]),
        "kind": kind[o],
        "value": open_value[o],
        "stage": kstage[o],
        "expected_close": close[o],
        "owner": owner.to_numpy(dtype=object)[o],
    }).sort_values(["account_id", "opportunity_id"]).reset_index(drop=True)

    def passthrough(fld: str) -> np.ndarray:
        return acc[fld].map(_tidy).to_numpy(dtype=object) if fld in acc else np.full(na, "", dtype=object)

    with np.errstate(invalid="ignore", divide="ignore"):
        win_rate = np.where(won_n + lost_n > 0, won_n / (won_n + lost_n) * 100, np.nan)
        breadth = bought / in_range * 100 if in_range else np.full(na, np.nan)
    figures = pd.DataFrame({
        "account_id": ids_arr,
        "name": acc["name"].to_numpy(dtype=object),
        "revenue_12m": revenue_12m,
        "revenue_prev_12m": revenue_prev if prev_known else np.nan,
        "won_deals": won_n,
        "lost_deals": lost_n,
        "win_rate_pct": np.round(win_rate, 1),
        "won_deals_12m": won_12m_n,
        "lost_deals_12m": lost_12m_n,
        "open_deals": open_n,
        "open_value": open_total,
        "products_bought": bought,
        "products_in_range": in_range,
        "product_breadth_pct": np.round(breadth, 1),
        "first_won": first_won.to_numpy(),
        "last_won": last_won.to_numpy(),
        "account_manager": manager,
        "account_manager_deals": manager_deals,
        "team_manager": team_manager,
        "regional_office": region,
        "group_id": ids_arr[root],
        "subsidiaries": subsidiaries,
        "group_revenue_12m": group_rev,
        "group_revenue_prev_12m": group_prev if prev_known else np.nan,
        "year_established": passthrough("year_established"),
        "company_revenue": passthrough("company_revenue"),
        "employees": passthrough("employees"),
    }).sort_values("account_id").reset_index(drop=True)

    aside_frame = (pd.concat(log.aside, ignore_index=True) if log.aside
                   else pd.DataFrame({"file": pd.Series(dtype=object), "row": pd.Series(dtype="int64"), "id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}))
    fixes = pd.DataFrame(log.fixes, columns=["file", "column", "before", "after", "rows", "fix"])
    recon = _reconcile(where, aside_frame, labels, acc, products, teams, log)
    k = np.flatnonzero(won | lost | is_open)
    deals = pd.DataFrame({"account_id": ids_arr[acct[k]], "product": product.to_numpy(dtype=object)[k], "outcome": outcome[k],
                          "value": np.where(outcome[k] == "open", open_value[k], np.nan_to_num(value[k])), "close": close[k],
                          "owner": owner.to_numpy(dtype=object)[k]})
    return ImportResult(accounts=accounts, opportunities=opportunities, figures=figures, fixes=fixes, set_aside=aside_frame,
                        reconciliation=recon, input_rows={}, as_of=as_of, windows=windows, mapping=mapping, labels=labels,
                        stage_words=stage_words, notes=log.notes, deals=deals)


def _reconcile(where: np.ndarray, aside: pd.DataFrame, labels: dict[str, str], acc: pd.DataFrame,
               products: pd.DataFrame, teams: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Where every input row went: one table, per file, whose rows add up to the rows read."""
    out: list[dict[str, object]] = []
    counts = pd.Series(where).value_counts()
    pipe = labels["opportunities"]
    for key, text in OUTCOMES:
        out.append({"file": pipe, "went_to": text, "rows": int(counts.get(key, 0))})
    set_aside = aside.assign(reason=aside["reason"].str.replace(r"^stage word not in the mapping's stages: .*$", "stage word not in the mapping's stages", regex=True))
    sizes = set_aside.groupby(["file", "reason"], sort=False).size()
    by_reason: list[tuple[str, str, int]] = [(f, r, n) for (f, r), n in zip(sizes.index.tolist(), sizes.tolist(), strict=True)]
    for f, reason, n in by_reason:
        if f == pipe:
            out.append({"file": pipe, "went_to": f"set aside: {reason}", "rows": n})
    for key, used, text in (("accounts", len(acc), "written to accounts.csv"),
                            ("products", len(products), "used as the range and list prices"),
                            ("teams", len(teams), "used for manager and region")):
        file = labels[key]
        if key != "accounts" and not used and file not in set(aside["file"]):
            continue
        out.append({"file": file, "went_to": text, "rows": used})
        for f, reason, n in by_reason:
            if f == file:
                out.append({"file": file, "went_to": f"set aside: {reason}", "rows": n})
    return pd.DataFrame(out, columns=["file", "went_to", "rows"])


# --------------------------------------------------------------------------- writing


def import_crm(export: Path | str, out: Path | str, mapping: Path | str | Mapping | None = None, *, force: bool = False) -> ImportResult:
    """Import a CRM export folder into a new workbook folder; return what was done.

    The export is only read. ``out`` must be empty or hold an earlier import
    (``force`` replaces other files' neighbours too).

    Example:
        >>> res = import_crm("maven-crm", "imported")  # doctest: +SKIP
        >>> len(res.accounts), len(res.opportunities)  # doctest: +SKIP
        (85, 664)
    """
    started = time.perf_counter()
    export, out = Path(export), Path(out)
    if not export.is_dir():
        raise CrmImportError(f"{export}: no export folder there")
    if out.resolve() == export.resolve() or export.resolve() in out.resolve().parents:
        raise CrmImportError(f"{out}: the workbook must be written outside the export folder {export}")
    if out.exists() and not out.is_dir():
        raise CrmImportError(f"{out}: expected a folder for the workbook, found a file")
    if out.is_dir() and not force:
        others = sorted(p.name for p in out.iterdir() if p.name not in WRITTEN and not p.name.startswith("."))
        if others or (out / "journal.sqlite").exists():
            raise CrmImportError(f"{out}: the folder already holds {', '.join(others[:5])}; choose an empty folder or pass --force")
    m = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    log = _Log()
    frames: dict[str, pd.DataFrame | None] = {}
    labels: dict[str, str] = {}
    for key in ("accounts", "opportunities", "products", "teams", "line_items", "contacts"):
        frames[key], labels[key] = read_file(export, key, m, log)
    res = build(frames, m, labels)
    res.notes = log.notes + res.notes
    res.export = export
    write(res, out)
    res.seconds = time.perf_counter() - started
    return res


# --------------------------------------------------------------------------- command line


