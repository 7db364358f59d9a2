"""The built-in red flags, in the order they are registered (which is the order findings of one severity are listed in).

Relationship rules (economic buyer, single thread, threats, evidence, the
score) sit beside rules on the account's money and plan (renewals, cost to
serve, revenue, overdue actions, value ratio, concentration, deals closing
undecided). Each one looks at the whole portfolio and names accounts.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.common.formatting import money
from kamnb.relationships.flag_registry import flag_settings, red_flag, scoped  # noqa: F401  (scoped: the examples cut the sample to one account)
from kamnb.relationships.grid import all_zones, config, contact_map
from kamnb.workbook import Workbook, banks


@red_flag("no_economic_buyer_contact", "high", "No recent contact with the economic decision-maker")
def no_economic_buyer_contact(wb: Workbook) -> list[dict[str, Any]]:
    """No contact owner or no recorded conversation with the economic buyer (high); none named, or no conversation within the window (medium).

    Example:
        >>> no_economic_buyer_contact(scoped(wb, "ACC-003"))[0]["account_id"]
        'ACC-003'
    """
    days = config(wb.settings)["recent_contact_days"]
    st = all_zones(wb)
    eb = st[st["decision_role"] == "economic_buyer"]
    by_account: dict[str, list[Any]] = {}
    for person in eb[["account_id", "name", "our_people", "days_since_contact"]].itertuples(index=False):
        by_account.setdefault(person.account_id, []).append(person)
    rows: list[dict[str, Any]] = []
    for aid in wb.accounts.index:
        people = by_account.get(aid)
        if not people:
            rows.append({"account_id": aid, "severity": "medium", "detail": "no economic buyer named on the stakeholders sheet"})
            continue
        for p in people:
            if p.our_people == 0:
                rows.append({"account_id": aid, "detail": f"nobody of ours owns the contact with {p.name} (economic buyer)"})
            elif p.days_since_contact != p.days_since_contact:
                rows.append({"account_id": aid, "detail": f"no recorded conversation with {p.name} (economic buyer)"})
            elif p.days_since_contact > days:
                rows.append({"account_id": aid, "severity": "medium",
                             "detail": f"last conversation with {p.name} (economic buyer) was {p.days_since_contact:.0f} days ago (recent means {days} days)"})
    return rows


@red_flag("single_threaded", "high", "Single-threaded account")
def single_threaded(wb: Workbook) -> list[dict[str, Any]]:
    """All contact runs through one person of ours, or most decision-maker influence hangs on one person.

    Example:
        >>> single_threaded(scoped(wb, "ACC-003"))[0]["detail"][:22]
        '2 of 3 decision-makers'
    """
    share = config(wb.settings)["single_thread_share"]
    rows = []
    for aid, m in contact_map(wb).iterrows():
        if m["their_people"] == 0:
            continue
        if m["our_people"] == 1:
            rows.append({"account_id": aid, "detail": f"every contact runs through {m['key_person']}; coverage would fall from {m['coverage']:.0f} to 0 if they left"})
        elif m["our_people"] == 0:
            rows.append({"account_id": aid, "detail": "nobody of ours is named as contact owner for any stakeholder"})
        elif m["dm_influence_on_key_person_pct"] >= share:
            rows.append({"account_id": aid, "detail": (
                f"{m['dm_on_key_person']} of {m['decision_makers']} decision-makers ({m['dm_influence_on_key_person_pct']:.0f}% of their influence) "
                f"hang on {m['key_person']} alone; coverage would fall from {m['coverage']:.0f} to {m['coverage_without_key_person']:.0f}")})
    return rows


@red_flag("threat_without_plan", "high", "Influential threat without a plan")
def threat_without_plan(wb: Workbook) -> pd.DataFrame:
    """A stakeholder in the threat zone (high influence, against us) with an empty plan.

    Example:
        >>> len(threat_without_plan(scoped(wb, "ACC-001")))
        0
    """
    st = all_zones(wb)
    sel = st[(st["zone"] == "threat") & (st["plan"].str.strip() == "")]
    detail = sel["name"] + " (influence " + sel["influence"].map("{:.0f}".format) + ", support " + sel["support"].map("{:.0f}".format) + ") has no plan"
    return pd.DataFrame({"account_id": sel["account_id"], "detail": detail})


@red_flag("stale_evidence", "medium", "Stale or missing relationship evidence")
def stale_evidence(wb: Workbook) -> list[dict[str, Any]]:
    """Scored indicators last assessed longer ago than ``stale_evidence_days``, or no indicator scored at all.

    Example:
        >>> stale_evidence(scoped(wb, "ACC-001"))
        []
    """
    from kamnb.relationships.score import relationship_scores

    limit = config(wb.settings)["stale_evidence_days"]
    rows = []
    for aid, s in relationship_scores(wb).iterrows():
        if s["indicators_scored"] == 0:
            rows.append({"account_id": aid, "detail": "no relationship indicator scored yet"})
        elif s["stale_indicators"] > 0:
            oldest = s["oldest_evidence"].strftime("%Y-%m-%d")
            rows.append({"account_id": aid, "detail": f"{s['stale_indicators']} of {s['indicators_scored']} scored indicators last assessed more than {limit} days ago (oldest {oldest})"})
    return rows


@red_flag("score_falling", "high", "Relationship score falling")
def score_falling(wb: Workbook) -> list[dict[str, Any]]:
    """The relationship score fell at each of the last two reviews (high), or by ``score_drop`` points at the last one (medium).

    Example:
        >>> score_falling(scoped(wb, "ACC-001"))
        []
    """
    from kamnb.relationships.score import score_history

    drop = float(flag_settings(wb.settings)["score_drop"])
    hist = score_history(wb)
    last = hist.dropna(subset=["score"]).groupby("account_id", sort=False).tail(3)
    last = last.sort_values("account_id", kind="mergesort")  # accounts in order, each one's reviews in the history's order
    reviews: dict[str, list[tuple[float, str]]] = {}
    for aid, score, on in zip(last["account_id"], last["score"].round(1), last["assessed_on"], strict=True):
        reviews.setdefault(aid, []).append((float(score), on.strftime("%Y-%m-%d")))
    rows: list[dict[str, Any]] = []
    for aid, seen in reviews.items():
        s = [x for x, _ in seen]
        days = [d for _, d in seen]
        if len(s) == 3 and s[0] > s[1] > s[2]:
            rows.append({"account_id": aid, "detail": f"score fell from {s[0]:.0f} to {s[1]:.0f} to {s[2]:.0f} (reviews {', '.join(days)})"})
        elif len(s) >= 2 and drop > 0 and s[-2] - s[-1] >= drop:
            rows.append({"account_id": aid, "severity": "medium",
                         "detail": f"score fell from {s[-2]:.0f} to {s[-1]:.0f} since the review of {days[-2]} (a fall of {drop:g} points or more counts)"})
    return rows


@red_flag("decision_maker_against", "high", "Decision-maker against us")
def decision_maker_against(wb: Workbook) -> list[dict[str, Any]]:
    """A decision-maker (a decision role from the relationships settings) whose support is at or below ``opposed``; high when the economic buyer is among them.

    Example:
        >>> decision_maker_against(scoped(wb, "ACC-001"))[0]["severity"]
        'high'
    """
    cfg = config(wb.settings)
    st = all_zones(wb)
    against = st[st["decision_role"].isin(cfg["decision_roles"]) & (st["support"] <= cfg["opposed"])]
    # the economic buyer first, then by support and name, within each account (one sort for the portfolio)
    people = against.assign(_eb=(against["decision_role"] != "economic_buyer").astype(int))
    people = people.sort_values(["account_id", "_eb", "support", "name"], kind="mergesort")
    words = [f"{name} ({title or 'no title'}, {str(role).replace('_', ' ')}, support {support:.0f} of 5)"
             for name, title, role, support in zip(people["name"], people["title"], people["decision_role"], people["support"], strict=True)]
    named = pd.DataFrame({"account_id": people["account_id"].to_numpy(), "words": words, "eb": (people["_eb"] == 0).to_numpy()})
    rows = []
    for aid, group in named.groupby("account_id", sort=True):
        rows.append({"account_id": aid, "severity": "high" if bool(group["eb"].any()) else "medium", "detail": "against us: " + "; ".join(group["words"])})
    return rows


@red_flag("large_renewal_at_risk", "high", "Large renewal at low likelihood")
def large_renewal_at_risk(wb: Workbook) -> list[dict[str, Any]]:
    """An open retain opportunity worth at least ``renewal_share_pct`` of the account's revenue, below ``renewal_low_likelihood`` or not qualified yet.

    Example:
        >>> large_renewal_at_risk(scoped(wb, "ACC-001"))[0]["detail"][:6]
        'OP-001'
    """
    from kamnb.qualification.score import score_opportunities

    cfg = flag_settings(wb.settings)
    share, low = float(cfg["renewal_share_pct"]), float(cfg["renewal_low_likelihood"])
    cur = wb.settings.get("currency", "EUR")
    opps = score_opportunities(wb)
    opps = opps[(opps["kind"] == "retain") & ~opps["closed"]]
    revenue = wb.accounts["revenue_12m"]
    rows = []
    for oid, o in opps.iterrows():
        rev = float(revenue.get(o["account_id"], float("nan")))
        if not rev > 0 or not o["value"] >= share / 100.0 * rev:
            continue
        lk = o["likelihood"]
        if lk == lk and o["status"] == "qualified" and lk >= low:
            continue
        when = f", closing {o['expected_close']:%Y-%m-%d}" if o["expected_close"] == o["expected_close"] else ""
        state = "not qualified yet" if lk != lk else ("qualified out" if o["status"] == "qualify out" else f"likelihood {lk * 100:.0f} %")
        rows.append({"account_id": o["account_id"], "detail": (
            f"{oid} {o['name']}: {money(o['value'], cur, short=True)} ({o['value'] / rev * 100:.0f} % of the account's revenue){when}, "
            f"{state} (at risk below {low * 100:.0f} %)")})
    return rows


@red_flag("score_below_floor", "high", "Relationship score below the floor")
def score_below_floor(wb: Workbook) -> list[dict[str, Any]]:
    """The relationship score (0-100) is below ``score_floor``.

    Example:
        >>> score_below_floor(scoped(wb, "ACC-001"))[0]["detail"]
        'relationship score 41 is below the floor of 50'
    """
    from kamnb.relationships.score import relationship_scores

    floor = float(flag_settings(wb.settings)["score_floor"])
    s = relationship_scores(wb)["score"].dropna()
    return [{"account_id": aid, "detail": f"relationship score {v:.0f} is below the floor of {floor:g}"} for aid, v in s.items() if v < floor]


@red_flag("loss_after_cost_to_serve", "high", "Loss after cost to serve")
def loss_after_cost_to_serve(wb: Workbook) -> list[dict[str, Any]]:
    """Contribution (gross profit minus cost to serve) below 0: the account is kept at a loss.

    Example:
        >>> loss_after_cost_to_serve(scoped(wb, "ACC-001"))[0]["detail"][:12]
        'gross profit'
    """
    acc = wb.accounts
    if "cost_to_serve" not in acc or "gross_margin_pct" not in acc:
        return []
    cur = wb.settings.get("currency", "EUR")
    gp = acc["revenue_12m"] * acc["gross_margin_pct"] / 100.0
    contribution = gp - acc["cost_to_serve"]
    lost = contribution[contribution < 0]
    return [{"account_id": aid, "detail": (
        f"gross profit {money(gp[aid], cur, short=True)} minus cost to serve {money(acc.loc[aid, 'cost_to_serve'], cur, short=True)} "
        f"leaves a contribution of {money(c, cur, short=True)}: the account is kept at a loss")} for aid, c in lost.items()]


@red_flag("core_revenue_falling", "high", "Revenue falling in a Pareto-core account")
def core_revenue_falling(wb: Workbook) -> list[dict[str, Any]]:
    """An account in the revenue Pareto core whose revenue fell by at least ``revenue_fall_pct`` against the previous 12 months.

    Example:
        >>> [row["account_id"] for row in core_revenue_falling(wb)]
        ['ACC-011']
    """
    from kamnb.classification.score import classify

    acc = wb.accounts
    if "revenue_prev_12m" not in acc:
        return []
    fall = float(flag_settings(wb.settings)["revenue_fall_pct"])
    cur = wb.settings.get("currency", "EUR")
    core = classify(wb)["revenue_core"]
    prev, now = acc["revenue_prev_12m"], acc["revenue_12m"]
    change = (now / prev.where(prev > 0) - 1.0) * 100.0
    hit = change[(change <= -fall) & core.reindex(acc.index).fillna(False).astype(bool)]
    return [{"account_id": aid, "detail": (
        f"revenue fell {-c:.0f} % ({money(prev[aid], cur, short=True)} to {money(now[aid], cur, short=True)}) "
        f"in an account of the Pareto core (a fall of {fall:g} % or more counts)")} for aid, c in hit.items()]


@red_flag("overdue_actions", "medium", "Overdue actions on a key or Pareto-core account")
def overdue_actions(wb: Workbook) -> list[dict[str, Any]]:
    """A key account, or one in the revenue Pareto core, with at least ``overdue_actions_at`` actions due before as_of and neither done nor dropped.

    Example:
        >>> overdue_actions(scoped(wb, "ACC-001"))[0]["detail"][:19]
        '2 action(s) overdue'
    """
    from kamnb.classification.score import classify
    from kamnb.value.actions import overdue_mask

    at = int(flag_settings(wb.settings)["overdue_actions_at"])
    a = wb.actions
    if a.empty or at < 1:
        return []
    res = classify(wb)
    key = res["is_key"] | res["revenue_core"]
    late = a[overdue_mask(a, banks.as_of(wb.settings)) & a["account_id"].map(key).fillna(False).astype(bool)]
    rows = []
    for aid, acts in late.sort_values(["account_id", "due", "action_id"]).groupby("account_id", sort=True):
        if len(acts) >= at:
            listed = ", ".join(f"{r['action_id']} (due {r['due']:%Y-%m-%d})" for _, r in acts.iterrows())
            which = "a key account" if bool(res.loc[aid, "is_key"]) else "an account of the Pareto core"
            rows.append({"account_id": aid, "detail": f"{len(acts)} action(s) overdue on {which}: {listed}"})
    return rows


@red_flag("value_ratio_low", "high", "Value ratio below the threshold")
def value_ratio_low(wb: Workbook) -> list[dict[str, Any]]:
    """The expected value ratio (value to the customer / fees) is below ``value_ratio_below``; medium when even the cautious estimate covers the fees.

    Example:
        >>> value_ratio_low(scoped(wb, "ACC-001"))[0]["severity"]
        'high'
    """
    from kamnb.value.ratio import value_ratios

    below = float(flag_settings(wb.settings)["value_ratio_below"])
    vr = value_ratios(wb)
    rows = []
    for aid, r in vr[vr["value_ratio"] < below].iterrows():
        low = r["value_ratio_low"]
        cautious = low == low and low < 1
        tail = f"; the cautious estimate ({low:.1f}) does not even cover the fees" if cautious else ""
        rows.append({"account_id": aid, "severity": "high" if cautious else "medium",
                     "detail": f"value ratio {r['value_ratio']:.1f} (expected estimate) is below {below:g}{tail}"})
    return rows


@red_flag("concentration", "medium", "Concentration: one account carries a large share of revenue")
def concentration(wb: Workbook) -> list[dict[str, Any]]:
    """One account holds more than ``concentration_share_pct`` of the portfolio's revenue.

    Example:
        >>> concentration(wb)[0]["account_id"]
        'ACC-001'
    """
    limit = float(flag_settings(wb.settings)["concentration_share_pct"])
    rev = wb.accounts["revenue_12m"].clip(lower=0)
    total = float(rev.sum())
    if len(rev) < 2 or total <= 0:
        return []
    share = rev / total * 100.0
    return [{"account_id": aid, "detail": f"{s:.0f} % of the portfolio's revenue sits in this one account (limit {limit:g} %)"}
            for aid, s in share[share > limit].items()]


@red_flag("closing_undecided", "high", "Closing soon with decision questions open")
def closing_undecided(wb: Workbook) -> list[dict[str, Any]]:
    """An open opportunity expected to close within ``closing_days`` with "no", "unknown" or no answer on a decision question.

    For a renewal, "no" to a question in ``renewal_no_is_good`` (they see no decision to make) favours us and does not count.

    Example:
        >>> closing_undecided(scoped(wb, "ACC-001"))[0]["detail"][:6]
        'OP-001'
    """
    from kamnb.qualification.score import current_answers, score_opportunities

    cfg = flag_settings(wb.settings)
    days = int(cfg["closing_days"])
    bank = wb.questions
    questions = [q for q in cfg["decision_questions"] if q in bank.index]
    renewal_ok = set(cfg.get("renewal_no_is_good") or [])
    today = banks.as_of(wb.settings)
    opps = score_opportunities(wb)
    soon = opps[~opps["closed"] & (opps["status"] != "qualify out") & (opps["expected_close"] >= today)
                & (opps["expected_close"] <= today + pd.Timedelta(days=days))]
    if soon.empty or not questions:
        return []
    ans = current_answers(wb)
    ans = ans[ans["opportunity_id"].isin(soon.index)].set_index(["opportunity_id", "question_id"])["answer"]
    rows = []
    for oid, o in soon.iterrows():
        open_q = []
        for q in questions:
            a = ans.get((oid, q), "not asked")
            if a == "no" and o["kind"] == "retain" and q in renewal_ok:
                continue  # a customer who sees no decision to make keeps the incumbent
            if a in ("no", "unknown", "not asked"):
                open_q.append(f"'{bank.loc[q, 'text']}' {a}")
        if open_q:
            rows.append({"account_id": o["account_id"], "detail": (
                f"{oid} {o['name']} closes {o['expected_close']:%Y-%m-%d} ({(o['expected_close'] - today).days} days): {'; '.join(open_q)}")})
    return rows
