"""People at the account: the decision-making grid, power vs comfort zone, the contact map.

Organisations do not buy, people do. This module places every stakeholder by
influence and by support for us (the decision-making grid), says who needs what
kind of attention, measures whether our contact time goes to the customer's
power zone or to our comfort zone, and turns the contact owners of the
stakeholders sheet into a contact map: how many of our people know how many of
theirs, and what a single departure would cost (bow-tie vs diamond).

All thresholds live in ``settings.yaml`` under ``relationships:``;
``docs/relationships.md`` explains every number.

Example:
    >>> import pandas as pd
    >>> zone_of(pd.Series([5.0, 2.0, 5.0]), pd.Series([1.0, 5.0, 3.0]), {}).tolist()
    ['threat', 'advocate', 'swing']
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from kamnb.common import memo
from kamnb.common.rows import rows_of
from kamnb.workbook import Workbook, banks
from kamnb.workbook.schema import SENIORITY

# Zone id -> (label, what kind of attention the people in it need). Order: as read on the grid, power zone first.
ZONES: dict[str, tuple[str, str]] = {
    "driver": ("Driver", "Build on: involve them in our plans, ask for sponsorship and introductions, keep them informed first."),
    "swing": ("Swing vote", "Win over: learn their needs and personal agenda, show value in their own numbers, arrange peer contact."),
    "threat": ("Threat", "Neutralise or convert: find the objection behind the opposition, plan a senior contact, never leave them to a competitor."),
    "advocate": ("Advocate", "Build on: use them as coaches and as a way into the power zone; do not let them take up the power zone's time."),
    "bystander": ("Bystander", "Keep informed at low cost; watch for a rise in influence."),
    "critic": ("Critic", "Contain: answer their concerns so they do not recruit people with more influence."),
}
ZONE_ORDER = list(ZONES)


@lru_cache(maxsize=1)
def _default_section() -> dict[str, Any]:
    return dict(banks.load_settings().get("relationships") or {})


def config(settings: dict[str, Any]) -> dict[str, Any]:
    """The ``relationships:`` settings in force, defaults filled in for anything a workbook left out.

    >>> config({})["high_influence"]
    4
    """
    out = dict(_default_section())
    out.update((settings or {}).get("relationships") or {})
    return out


def zone_of(influence: pd.Series, support: pd.Series, settings: dict[str, Any]) -> pd.Series:
    """Grid zone of each person from influence and support (1-5), vectorised.

    Example:
        >>> zone_of(pd.Series([5.0, 5.0, 2.0]), pd.Series([5.0, 1.0, 3.0]), {}).tolist()
        ['driver', 'threat', 'bystander']
    """
    cfg = config(settings)
    high = influence.fillna(1).to_numpy() >= cfg["high_influence"]
    sup = support.to_numpy()
    pro = sup >= cfg["supportive"]
    con = sup <= cfg["opposed"]
    zone = np.select(
        [high & pro, high & con, high, pro, con],
        ["driver", "threat", "swing", "advocate", "critic"],
        default="bystander",
    )
    return pd.Series(zone, index=influence.index, dtype=object)


def owners(contact_owner: pd.Series) -> pd.Series:
    """Each cell of ``contact_owner`` as a tuple of our people (split on ';', blanks dropped, sorted).

    >>> owners(pd.Series(["Jana Weber; Tom Berg", "", " Tom Berg "])).tolist()
    [('Jana Weber', 'Tom Berg'), (), ('Tom Berg',)]
    """
    def split(text: str) -> tuple[str, ...]:
        return tuple(sorted({" ".join(p.split()) for p in str(text).split(";") if p.strip()}))

    return contact_owner.fillna("").map(split)


@memo.portfolio("stakeholders")
def all_zones(wb: Workbook) -> pd.DataFrame:
    """Every stakeholder of the workbook with zone, decision-maker flag, contact age and owners."""
    cfg = config(wb.settings)
    st = wb.stakeholders.drop(columns="_row", errors="ignore").copy()
    st["zone"] = zone_of(st["influence"], st["support"], wb.settings)
    st["zone_label"] = st["zone"].map(lambda z: ZONES[z][0])
    st["attention"] = st["zone"].map(lambda z: ZONES[z][1])
    st["decision_maker"] = st["decision_role"].isin(cfg["decision_roles"]) | (st["influence"] >= cfg["high_influence"])
    st["power_zone"] = st["influence"] >= cfg["high_influence"]
    today = banks.as_of(wb.settings)
    st["days_since_contact"] = (today - st["last_contact"]).dt.days.astype("float64")
    st["recent_contact"] = st["days_since_contact"] <= cfg["recent_contact_days"]
    st["owners"] = owners(st["contact_owner"])
    st["our_people"] = st["owners"].map(len)
    return st


_ZONE_COLUMNS = [
    "name", "title", "function", "seniority", "decision_role", "influence", "support", "zone", "zone_label",
    "attention", "decision_maker", "contact_owner", "our_people", "last_contact", "days_since_contact", "recent_contact", "plan",
]


def stakeholder_zones(wb: Workbook, account_id: str) -> pd.DataFrame:
    """One account's stakeholders placed on the grid, indexed by ``stakeholder_id``.

    Columns: name, title, function, seniority, decision_role, influence, support, zone (id), zone_label,
    attention (what they need from us), decision_maker, contact_owner, our_people (how many of ours know them),
    last_contact, days_since_contact, recent_contact, plan. Sorted by zone, then influence (high first), then name.

    Example:
        >>> from kamnb.workbook import load_workbook
        >>> wb = load_workbook("data/sample")
        >>> stakeholder_zones(wb, "ACC-001").loc["ST-012", ["name", "zone"]].tolist()
        ['Matthias Brandl', 'driver']
    """
    wb.account(account_id)
    st = rows_of(all_zones(wb), account_id)
    st = st.assign(_z=st["zone"].map(ZONE_ORDER.index)).sort_values(["_z", "influence", "name"], ascending=[True, False, True])
    out = st[_ZONE_COLUMNS].copy()
    out.index.name = "stakeholder_id"
    return out


def zone_actions(wb: Workbook, account_id: str) -> pd.DataFrame:
    """Who needs what kind of attention: one row per zone with its people (names) and the attention it calls for.

    Example:
        >>> zone_actions(wb, "ACC-001").columns.tolist()
        ['people', 'who', 'attention']
    """
    z = stakeholder_zones(wb, account_id)
    rows = []
    for zone, (label, attention) in ZONES.items():
        people = z[z["zone"] == zone]
        rows.append({
            "zone": label,
            "people": len(people),
            "who": ", ".join(people["name"]) if len(people) else "nobody",
            "attention": attention,
        })
    return pd.DataFrame(rows).set_index("zone")


def power_vs_comfort(wb: Workbook, account_id: str) -> pd.DataFrame:
    """Where our contact time goes: the customer's power zone, our comfort zone, elsewhere.

    Power zone: influence at or above ``high_influence``. Comfort zone: less influential people who like us
    (support at or above ``supportive``). Columns: people, contact_days (over 12 months, from
    ``contact_days_12m``), share_pct of all contact days. contact_days and share_pct are empty (NaN) when the
    stakeholders sheet has no contact days.

    Example:
        >>> power_vs_comfort(wb, "ACC-001")["people"].to_dict()
        {'power zone': 12, 'comfort zone': 11, 'elsewhere': 17}
    """
    cfg = config(wb.settings)
    z = stakeholder_zones(wb, account_id)
    part = np.where(z["influence"] >= cfg["high_influence"], "power zone", np.where(z["support"] >= cfg["supportive"], "comfort zone", "elsewhere"))
    days = wb.stakeholders.loc[z.index, "contact_days_12m"]
    frame = pd.DataFrame({"part": part, "days": days.to_numpy()})
    known = wb.has_column("stakeholders", "contact_days_12m") and days.notna().any()
    rows = []
    total = frame["days"].sum()
    for name in ("power zone", "comfort zone", "elsewhere"):
        sel = frame[frame["part"] == name]
        d = sel["days"].sum() if known else float("nan")
        rows.append({"part": name, "people": len(sel), "contact_days": d, "share_pct": d / total * 100 if known and total > 0 else float("nan")})
    return pd.DataFrame(rows).set_index("part")


def neglected_power(wb: Workbook, account_id: str) -> pd.DataFrame:
    """High-influence stakeholders without a conversation within ``recent_contact_days`` (or never).

    Example:
        >>> neglected_power(wb, "ACC-001").index.tolist()[:2]
        ['ST-010', 'ST-002']
    """
    z = stakeholder_zones(wb, account_id)
    sel = z[z["influence"] >= config(wb.settings)["high_influence"]]
    sel = sel[~sel["recent_contact"]]
    return sel[["name", "title", "influence", "support", "zone_label", "contact_owner", "last_contact", "days_since_contact"]]


# --------------------------------------------------------------------------- contact map


@memo.portfolio("stakeholders")
def contact_links(wb: Workbook, account_id: str | None = None) -> pd.DataFrame:
    """One row per link between a person of ours and a stakeholder.

    Columns: account_id, our_person, our_function, stakeholder_id, name, function, seniority, influence,
    support, zone, decision_maker. ``our_function`` may list one function per owner (same order, ';') or
    one function for all of them.

    Example:
        >>> len(contact_links(wb, "ACC-001"))
        46
    """
    st = all_zones(wb)
    if account_id is not None:
        st = rows_of(st, account_id)
    rows = []
    for sid, rec in st.iterrows():
        funcs = [f.strip() for f in str(rec["our_function"]).split(";")]
        raw = [" ".join(p.split()) for p in str(rec["contact_owner"]).split(";") if p.strip()]
        for i, person in enumerate(raw):
            func = funcs[i] if len(funcs) == len(raw) else (funcs[0] if len(funcs) == 1 else "")
            rows.append((rec["account_id"], person, func, sid, rec["name"], rec["function"], rec["seniority"],
                         rec["influence"], rec["support"], rec["zone"], rec["decision_maker"]))
    # A person whose function could not be read from their own row takes the function they have elsewhere.
    known: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r[1], r[2])):
        if r[2] and r[1] not in known:
            known[r[1]] = r[2]
    rows = [r if r[2] else (*r[:2], known.get(r[1], ""), *r[3:]) for r in rows]
    cols = ["account_id", "our_person", "our_function", "stakeholder_id", "name", "function", "seniority",
            "influence", "support", "zone", "decision_maker"]
    links = pd.DataFrame(rows, columns=cols).drop_duplicates(["account_id", "our_person", "stakeholder_id"])
    return links.sort_values(["account_id", "our_person", "stakeholder_id"]).reset_index(drop=True)


def _coverage(owner_sets: list[tuple[str, ...]], weights: np.ndarray, leaving: str | None = None) -> dict[str, float]:
    """Reach, redundancy, resilience and coverage (0-100) of one account's stakeholders."""
    if leaving is not None:
        owner_sets = [tuple(p for p in s if p != leaving) for s in owner_sets]
    total = weights.sum()
    if total <= 0 or not owner_sets:
        return {"reach": float("nan"), "redundancy": float("nan"), "resilience": float("nan"), "coverage": float("nan")}
    depth = np.array([len(s) for s in owner_sets])
    reach = weights[depth >= 1].sum() / total * 100
    redundancy = weights[depth >= 2].sum() / total * 100
    loss: dict[str, float] = {}
    for s, w in zip(owner_sets, weights, strict=False):
        if len(s) == 1:
            loss[s[0]] = loss.get(s[0], 0.0) + w
    resilience = reach - (max(loss.values()) / total * 100 if loss else 0.0)
    return {"reach": reach, "redundancy": redundancy, "resilience": resilience, "coverage": (reach + redundancy + resilience) / 3}


def shape_of(coverage: float, settings: dict[str, Any]) -> str:
    """'bow-tie', 'diamond' or 'between the two' for a coverage number (empty text when unknown).

    >>> shape_of(20, {}), shape_of(75, {}), shape_of(50, {})
    ('bow-tie', 'diamond', 'between the two')
    """
    cfg = config(settings)
    if coverage != coverage:
        return ""
    if coverage < cfg["bow_tie_below"]:
        return "bow-tie"
    if coverage >= cfg["diamond_from"]:
        return "diamond"
    return "between the two"


_MAP_COLUMNS = [
    "their_people", "our_people", "links", "reach", "redundancy", "resilience", "coverage", "shape",
    "decision_makers", "dm_single_threaded", "dm_uncovered", "key_person", "dm_on_key_person",
    "dm_influence_on_key_person_pct", "coverage_without_key_person",
]


def _account_map(group: pd.DataFrame, settings: dict[str, Any]) -> dict[str, Any]:
    sets = list(group["owners"])
    weights = group["influence"].fillna(1).to_numpy(dtype=float)
    base = _coverage(sets, weights)
    dm = group["decision_maker"].to_numpy()
    dm_sets = [s for s, d in zip(sets, dm, strict=False) if d]
    dm_w = weights[dm]
    people = sorted({p for s in sets for p in s})
    key, key_dm, key_share = "", 0, 0.0
    if people:
        def exposure(p: str) -> tuple[float, float, float, str]:
            dm_load = sum(w for s, w in zip(dm_sets, dm_w, strict=False) if s == (p,))
            all_load = sum(w for s, w in zip(sets, weights, strict=False) if s == (p,))
            return (-dm_load, -all_load, _coverage(sets, weights, leaving=p)["coverage"], p)

        key = min(people, key=exposure)
        key_dm = sum(1 for s in dm_sets if s == (key,))
        key_share = sum(w for s, w in zip(dm_sets, dm_w, strict=False) if s == (key,)) / dm_w.sum() * 100 if dm_w.sum() > 0 else 0.0
    after = _coverage(sets, weights, leaving=key)["coverage"] if key else base["coverage"]
    return {
        "their_people": len(group),
        "our_people": len(people),
        "links": sum(len(s) for s in sets),
        **base,
        "shape": shape_of(base["coverage"], settings),
        "decision_makers": int(dm.sum()),
        "dm_single_threaded": sum(1 for s in dm_sets if len(s) == 1),
        "dm_uncovered": sum(1 for s in dm_sets if len(s) == 0),
        "key_person": key,
        "dm_on_key_person": key_dm,
        "dm_influence_on_key_person_pct": key_share,
        "coverage_without_key_person": after,
    }


@memo.portfolio("stakeholders", "accounts")
def contact_map(wb: Workbook) -> pd.DataFrame:
    """The contact-map numbers of every account, indexed by account_id.

    reach: influence-weighted % of their stakeholders that at least one of our people knows.
    redundancy: the same for two or more of our people. resilience: reach left after the single departure
    (of ours) that would cut off the most influence. coverage: the mean of the three (0-100; bow-tie low,
    diamond high). key_person: the person of ours most decision-makers hang on alone; dm_on_key_person:
    how many; coverage_without_key_person: coverage if that person left. Accounts without stakeholders
    have zero people and empty (NaN) numbers.

    Example:
        >>> contact_map(wb).loc["ACC-001", "shape"]
        'between the two'
    """
    st = all_zones(wb)
    rows = {aid: _account_map(g, wb.settings) for aid, g in st.groupby("account_id", sort=True)}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=_MAP_COLUMNS)
    out = out.reindex(wb.accounts.index)
    out[["their_people", "our_people", "links", "decision_makers", "dm_single_threaded", "dm_uncovered", "dm_on_key_person"]] = (
        out[["their_people", "our_people", "links", "decision_makers", "dm_single_threaded", "dm_uncovered", "dm_on_key_person"]].fillna(0).astype(int)
    )
    out[["shape", "key_person"]] = out[["shape", "key_person"]].fillna("")
    out.index.name = "account_id"
    return out


def coverage_by(wb: Workbook, account_id: str, by: str = "seniority") -> pd.DataFrame:
    """Their people grouped by ``seniority`` or ``function``: how many, how many we reach, with how many of ours.

    Columns: people, reached, two_or_more (reached by at least two of ours), our_people (distinct), our_functions.
    Seniority rows run from executive to staff; an empty seniority or function shows as "(not given)".

    Example:
        >>> coverage_by(wb, "ACC-001", "seniority")["people"].to_dict()
        {'executive': 5, 'senior_manager': 13, 'manager': 15, 'staff': 7}
    """
    z = stakeholder_zones(wb, account_id)
    links = contact_links(wb, account_id)
    key = z[by].replace("", "(not given)")
    rows = []
    order = [s for s in SENIORITY if s in set(key)] + sorted(set(key) - set(SENIORITY)) if by == "seniority" else sorted(set(key))
    for value in order:
        ids = z.index[key == value]
        lk = links[links["stakeholder_id"].isin(ids)]
        rows.append({
            by: value,
            "people": len(ids),
            "reached": int((z.loc[ids, "our_people"] >= 1).sum()),
            "two_or_more": int((z.loc[ids, "our_people"] >= 2).sum()),
            "our_people": lk["our_person"].nunique(),
            "our_functions": ", ".join(sorted({f for f in lk["our_function"] if f})) or "–",
        })
    return pd.DataFrame(rows, columns=[by, "people", "reached", "two_or_more", "our_people", "our_functions"]).set_index(by)


# --------------------------------------------------------------------------- trend


def zone_changes(wb: Workbook, account_id: str) -> pd.DataFrame:
    """Each stakeholder's grid position now against the latest earlier placement (stakeholder_history).

    Columns: name, previous_on, previous_influence, previous_support, previous_zone, influence, support, zone,
    change ("moved zone", "moved within zone", "no change", "new": no earlier placement). Rows that changed zone first.

    Example:
        >>> zone_changes(wb, "ACC-001").columns.tolist()[-3:]
        ['support', 'zone', 'change']
    """
    z = stakeholder_zones(wb, account_id)
    hist = wb.for_account("stakeholder_history", account_id)
    hist = hist[hist["assessed_on"] <= banks.as_of(wb.settings)]
    last = hist.sort_values(["stakeholder_id", "assessed_on", "_row"]).groupby("stakeholder_id").tail(1).set_index("stakeholder_id")
    out = pd.DataFrame(index=z.index)
    out["name"] = z["name"]
    out["previous_on"] = last["assessed_on"].reindex(z.index)
    out["previous_influence"] = last["influence"].reindex(z.index)
    out["previous_support"] = last["support"].reindex(z.index)
    prev_zone = zone_of(out["previous_influence"], out["previous_support"], wb.settings)
    out["previous_zone"] = prev_zone.map(lambda x: ZONES[x][0]).where(out["previous_on"].notna(), "")
    out["influence"] = z["influence"]
    out["support"] = z["support"]
    out["zone"] = z["zone_label"]
    moved = (out["previous_influence"] != out["influence"]) | (out["previous_support"] != out["support"])
    out["change"] = np.select(
        [out["previous_on"].isna(), out["previous_zone"] != out["zone"], moved],
        ["new", "moved zone", "moved within zone"],
        default="no change",
    )
    rank = out["change"].map({"moved zone": 0, "moved within zone": 1, "new": 2, "no change": 3})
    return out.assign(_r=rank).sort_values(["_r", "name"]).drop(columns="_r")


def decision_people(wb: Workbook, account_id: str) -> Any:
    """The people who decide or weigh most, one row each: high influence (drivers, swing votes, threats) or a decision role.

    The others (advocates, critics and bystanders of low influence, no
    decision role) are counted under the table; the zone-by-zone table
    (:func:`zone_actions`) names every one of them.

    Example:
        >>> t = decision_people(wb, "ACC-001")
        >>> len(t.rows), t.headers[:3], t.note[:7]
        (15, ['Name', 'Title', 'Decision role'], '25 more')
    """
    cfg = config(wb.settings)
    people = stakeholder_zones(wb, account_id)
    weighs = (people["influence"] >= cfg["high_influence"]) | people["decision_role"].isin(cfg["decision_roles"])
    shown = people[weighs][["name", "title", "decision_role", "influence", "support", "zone_label", "contact_owner", "last_contact", "plan"]]
    from kamnb.common.people import people_table

    table = people_table(shown, empty="No stakeholder of this account has high influence or a decision role yet.")
    rest = int((~weighs).sum())
    if rest:
        table.note = (f"{rest} more of lower influence and no decision role (advocates, critics, bystanders): "
                      "each is named in the zone table above.")
    return table


def moves_table(wb: Workbook, account_id: str) -> Any:
    """Who moved on the grid since the last assessment, for people; the new and the unchanged counted in one sentence.

    Only the stakeholders whose influence or support changed are rows (zone
    changes first); the others would repeat the current grid.

    Example:
        >>> moves_table(wb, "ACC-007").note
        '4 stakeholders unchanged since their last placement.'
        >>> moves_table(wb, "ACC-001").empty
        'Nobody moved on the grid: 40 stakeholders have no earlier placement (the stakeholder_history sheet has none for them).'
    """
    from kamnb.common.people import people_table

    changes = zone_changes(wb, account_id)
    moved = changes[changes["change"].isin(["moved zone", "moved within zone"])]
    new, same = int((changes["change"] == "new").sum()), int((changes["change"] == "no change").sum())
    counted = [f"{new} stakeholder{'s have' if new != 1 else ' has'} no earlier placement (the stakeholder_history sheet has none for them)" if new else "",
               f"{same} stakeholder{'s' if same != 1 else ''} unchanged since their last placement" if same else ""]
    sentence = "; ".join(c for c in counted if c)
    table = people_table(moved[["name", "previous_on", "previous_zone", "zone", "previous_influence", "influence",
                                "previous_support", "support", "change"]],
                         empty=f"Nobody moved on the grid: {sentence}." if sentence else "No stakeholder is on the grid yet.")
    if len(moved) and sentence:
        table.note = sentence[:1].upper() + sentence[1:] + "."
    return table


# --------------------------------------------------------------------------- portfolio


# --------------------------------------------------------------------------- display


def readable(frame: pd.DataFrame, digits: int = 0) -> Any:
    """A table for people (see :func:`kamnb.common.tables.readable`): rounded, dated, every text escaped.

    >>> readable(pd.DataFrame({"x": [1.26, float("nan")]})).to_html().count("–")
    1
    """
    from kamnb.common.tables import readable as table

    return table(frame, digits)
