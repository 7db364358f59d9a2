"""What the import derives per account from the placed deals: revenue and counts, range bought, manager, groups, teams.

Then the tables the workbook gets (accounts, opportunities), the figures the
loader does not read (``crm_figures.csv``), the deals the feed uses, and the
reconciliation that says where every input row went.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamnb.crm.deals import DealRows, Placement, Window
from kamnb.crm.read import _Log, _take, _tidy, name_key
from kamnb.crm.result import OUTCOMES
from kamnb.workbook.schema import SHEETS


@dataclass
class Totals:
    """Per-account sums and counts over the placed deals, one array entry per account (in the accounts file's order)."""

    revenue_12m: np.ndarray
    revenue_prev: np.ndarray
    won_n: np.ndarray
    lost_n: np.ndarray
    won_12m_n: np.ndarray
    lost_12m_n: np.ndarray
    open_n: np.ndarray
    open_total: np.ndarray


@dataclass
class Managers:
    """Each account's manager (most deals, then larger won value, then name), their deal count, and every deal owner."""

    manager: np.ndarray
    manager_deals: np.ndarray
    owners: list[str]


@dataclass
class Groups:
    """Revenue rolled up to every ancestor, each account's top parent, and how many direct subsidiaries it has."""

    revenue_12m: np.ndarray
    revenue_prev: np.ndarray
    root: np.ndarray
    subsidiaries: np.ndarray


def account_totals(deals: DealRows, at: Placement, na: int) -> Totals:
    """Revenue in both windows, won and lost counts (ever and in the last 12 months), open deals and their value."""

    def per_account(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else np.nan_to_num(weights[mask])
        return np.bincount(at.idx[mask], weights=w, minlength=na)[:na]

    return Totals(
        revenue_12m=per_account(at.won & at.in12, deals.value),
        revenue_prev=per_account(at.won & at.inprev, deals.value),
        won_n=per_account(at.won),
        lost_n=per_account(at.lost),
        won_12m_n=per_account(at.won & at.in12),
        lost_12m_n=per_account(at.lost & at.in12),
        open_n=per_account(at.is_open),
        open_total=per_account(at.is_open, deals.open_value),
    )


def range_bought(deals: DealRows, at: Placement, products: pd.DataFrame, na: int) -> tuple[np.ndarray, int, np.ndarray]:
    """Products each account has won, the size of the range, and per row whether an open deal grows a product or is new."""
    prod_key = _take(deals.p_codes, [name_key(u) for u in deals.p_uniques])
    k_codes, k_uniques = pd.factorize(prod_key)
    n_k = max(len(k_uniques), 1)
    pair = at.idx.astype(np.int64) * n_k + k_codes
    won_pairs = np.unique(pair[at.won & (k_codes >= 0) & (prod_key != "")])
    bought = np.bincount(won_pairs // n_k, minlength=na)[:na]
    in_range = len(products) if len(products) else len({k for k in k_uniques if k})
    kind = np.where(np.isin(pair, won_pairs), "grow", "new")
    return bought, in_range, kind


def account_managers(deals: DealRows, at: Placement, na: int) -> Managers:
    """The account manager: the owner with the most deals on the account, ties to the larger won value, then to the name."""
    owner, value = deals.owner, deals.value
    with_owner = at.keep & (owner.to_numpy(dtype=object) != "")
    o_codes, o_uniques = pd.factorize(owner.to_numpy(dtype=object)[with_owner])
    per = pd.DataFrame({"acct": at.idx[with_owner], "owner": o_codes, "won_value": np.where(at.won[with_owner], np.nan_to_num(value[with_owner]), 0.0)})
    per = per.groupby(["acct", "owner"], sort=False).agg(deals=("won_value", "size"), won_value=("won_value", "sum")).reset_index()
    per["name"] = np.asarray(o_uniques, dtype=object)[per["owner"].to_numpy()] if len(per) else pd.Series(dtype=object)
    per = per.sort_values(["acct", "deals", "won_value", "name"], ascending=[True, False, False, True]).drop_duplicates("acct")
    manager = np.full(na, "", dtype=object)
    manager_deals = np.zeros(na, dtype=np.int64)
    manager[per["acct"].to_numpy()] = per["name"].to_numpy()
    manager_deals[per["acct"].to_numpy()] = per["deals"].to_numpy()
    return Managers(manager, manager_deals, list(o_uniques))


def window_coverage(window: Window, log: _Log) -> bool:
    """Note how much of the two windows the export covers; True when the 12 months before are known at all."""
    first_close, start12, start24, as_of = window.first_close, window.start12, window.start24, window.as_of
    prev_known = first_close <= start12
    if first_close > start12 + pd.Timedelta(days=1):
        log.notes.append(f"The export's first closed deal is on {first_close.date()}, after the start of the last 12 months "
                         f"({(start12 + pd.Timedelta(days=1)).date()}): revenue_12m covers only {first_close.date()} to {as_of.date()}.")
    if not prev_known:
        log.notes.append("The export holds no closed deal in the 12 months before "
                         f"({(start24 + pd.Timedelta(days=1)).date()} to {start12.date()}): revenue_prev_12m is unknown and left empty, not zero.")
    elif first_close > start24 + pd.Timedelta(days=1):
        log.notes.append(f"The export's closed deals start on {first_close.date()}, inside the 12 months before: revenue_prev_12m covers only part of them.")
    return bool(prev_known)


def roll_up_groups(totals: Totals, parent: np.ndarray) -> Groups:
    """Each account's revenue added to every ancestor's group revenue, along the parent links."""
    na = len(parent)
    group_rev = totals.revenue_12m.astype(float).copy()
    group_prev = totals.revenue_prev.astype(float).copy()
    root = np.arange(na)
    for i in range(na):
        j = int(parent[i])
        while j >= 0:
            group_rev[j] += totals.revenue_12m[i]
            group_prev[j] += totals.revenue_prev[i]
            root[i] = j
            j = int(parent[j])
    subsidiaries = np.bincount(parent[parent >= 0], minlength=na)[:na]
    return Groups(group_rev, group_prev, root, subsidiaries)


def manager_teams(managers: Managers, teams: pd.DataFrame, teams_label: str, log: _Log) -> tuple[list[str], list[str]]:
    """The team manager and region of each account manager, from the teams file; a note naming owners it lacks."""
    team_of = dict(zip(teams["key"], zip(teams["manager"], teams["region"], strict=True), strict=True)) if len(teams) else {}
    mkeys = [team_of.get(name_key(m), ("", "")) for m in managers.manager]
    if team_of:
        missing = sorted({o for o in managers.owners if name_key(o) not in team_of})
        if missing:
            log.notes.append(f"{len(missing)} deal owner(s) are not in {teams_label}, e.g. {missing[:3]}: their manager and region stay empty.")
    return [t[0] for t in mkeys], [t[1] for t in mkeys]


def accounts_table(acc: pd.DataFrame, parent: np.ndarray, totals: Totals, managers: Managers, prev_known: bool) -> pd.DataFrame:
    """The workbook's accounts sheet: every column of the contract, the CRM's fields and the derived revenue."""
    na = len(acc)
    ids_arr = acc["account_id"].to_numpy(dtype=object)
    accounts = pd.DataFrame({c: pd.Series([""] * na, dtype=object) for c in SHEETS["accounts"].column_names})
    accounts["account_id"] = ids_arr
    accounts["name"] = acc["name"].to_numpy(dtype=object)
    accounts["industry"] = acc["industry"].to_numpy(dtype=object) if "industry" in acc else ""
    accounts["country"] = acc["country"].to_numpy(dtype=object) if "country" in acc else ""
    accounts["parent_id"] = np.where(parent >= 0, ids_arr[np.maximum(parent, 0)], "")
    accounts["revenue_12m"] = totals.revenue_12m
    accounts["revenue_prev_12m"] = totals.revenue_prev if prev_known else np.nan
    accounts["account_manager"] = managers.manager
    return accounts.sort_values("account_id").reset_index(drop=True)


def opportunities_table(deals: DealRows, at: Placement, acc: pd.DataFrame, kind: np.ndarray) -> pd.DataFrame:
    """The workbook's opportunities sheet: the open deals, named after their product."""
    ids_arr = acc["account_id"].to_numpy(dtype=object)
    o = np.flatnonzero(at.is_open)
    prod_o = deals.product.to_numpy(dtype=object)[o]
    return pd.DataFrame({
        "opportunity_id": deals.ids.to_numpy(dtype=object)[o],
        "account_id": ids_arr[deals.acct[o]],
        "name": np.where(prod_o != "", prod_o, ["Opportunity " + str(i) for i in deals.ids.to_numpy(dtype=object)[o]]),
        "kind": kind[o],
        "value": deals.open_value[o],
        "stage": deals.kstage[o],
        "expected_close": deals.close[o],
        "owner": deals.owner.to_numpy(dtype=object)[o],
    }).sort_values(["account_id", "opportunity_id"]).reset_index(drop=True)


def won_dates(deals: DealRows, at: Placement, na: int) -> tuple[np.ndarray, np.ndarray]:
    """Each account's first and last won close date (NaT when it never won a deal)."""
    first_won = pd.Series(deals.close[at.won]).groupby(at.idx[at.won]).min().reindex(range(na))
    last_won = pd.Series(deals.close[at.won]).groupby(at.idx[at.won]).max().reindex(range(na))
    return first_won.to_numpy(), last_won.to_numpy()


def figures_table(acc: pd.DataFrame, totals: Totals, bought: np.ndarray, in_range: int, won: tuple[np.ndarray, np.ndarray], managers: Managers,
                  teams: tuple[list[str], list[str]], groups: Groups, prev_known: bool) -> pd.DataFrame:
    """``crm_figures.csv``: per account the counts, win rate, range bought, manager, team and group roll-ups."""
    na = len(acc)
    ids_arr = acc["account_id"].to_numpy(dtype=object)

    def passthrough(fld: str) -> np.ndarray:
        return acc[fld].map(_tidy).to_numpy(dtype=object) if fld in acc else np.full(na, "", dtype=object)

    won_n, lost_n = totals.won_n, totals.lost_n
    with np.errstate(invalid="ignore", divide="ignore"):
        win_rate = np.where(won_n + lost_n > 0, won_n / (won_n + lost_n) * 100, np.nan)
        breadth = bought / in_range * 100 if in_range else np.full(na, np.nan)
    return pd.DataFrame({
        "account_id": ids_arr,
        "name": acc["name"].to_numpy(dtype=object),
        "revenue_12m": totals.revenue_12m,
        "revenue_prev_12m": totals.revenue_prev if prev_known else np.nan,
        "won_deals": won_n,
        "lost_deals": lost_n,
        "win_rate_pct": np.round(win_rate, 1),
        "won_deals_12m": totals.won_12m_n,
        "lost_deals_12m": totals.lost_12m_n,
        "open_deals": totals.open_n,
        "open_value": totals.open_total,
        "products_bought": bought,
        "products_in_range": in_range,
        "product_breadth_pct": np.round(breadth, 1),
        "first_won": won[0],
        "last_won": won[1],
        "account_manager": managers.manager,
        "account_manager_deals": managers.manager_deals,
        "team_manager": teams[0],
        "regional_office": teams[1],
        "group_id": ids_arr[groups.root],
        "subsidiaries": groups.subsidiaries,
        "group_revenue_12m": groups.revenue_12m,
        "group_revenue_prev_12m": groups.revenue_prev if prev_known else np.nan,
        "year_established": passthrough("year_established"),
        "company_revenue": passthrough("company_revenue"),
        "employees": passthrough("employees"),
    }).sort_values("account_id").reset_index(drop=True)


def deals_table(deals: DealRows, at: Placement, acc: pd.DataFrame) -> pd.DataFrame:
    """Every kept won, lost and open deal with its account, product, outcome, value, close date and owner (for the feed)."""
    ids_arr = acc["account_id"].to_numpy(dtype=object)
    k = np.flatnonzero(at.won | at.lost | at.is_open)
    outcome = deals.outcome
    return pd.DataFrame({"account_id": ids_arr[deals.acct[k]], "product": deals.product.to_numpy(dtype=object)[k], "outcome": outcome[k],
                         "value": np.where(outcome[k] == "open", deals.open_value[k], np.nan_to_num(deals.value[k])), "close": deals.close[k],
                         "owner": deals.owner.to_numpy(dtype=object)[k]})


def reconcile(where: np.ndarray, aside: pd.DataFrame, labels: dict[str, str], acc: pd.DataFrame,
              products: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
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
