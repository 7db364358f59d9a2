"""What the room sees: the account's live scores and the workshop summary.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from kamnb.workbook import Workbook
from kamnb.workbook.schema import SHEETS
from kamnb.workshop.session import JUDGEMENTS, WorkshopSession
from kamnb.workshop.tracking import account_stamp
from kamnb.workshop.tracking import one_account_view as _one_account


def one_account(wb: Workbook, account_id: str) -> Workbook:
    """A view of ``wb`` holding only one account's rows: scoring it costs what one account costs.

    Example:
        >>> one_account(load_workbook("data/sample"), "ACC-001").accounts.index.tolist()  # doctest: +SKIP
        ['ACC-001']
    """
    sheets = {name: wb.for_account(name, account_id) for name in SHEETS if name != "accounts"}
    sheets["accounts"] = wb.accounts.loc[[account_id]]
    return Workbook(wb.path, sheets, wb.questions, wb.indicators, wb.settings, [], wb.missing_columns)


def _answer_tally(wb: Workbook, account_id: str) -> pd.DataFrame:
    """Per opportunity of the account: how many questions have each current answer.

    Plain Python over the account's few rows: this runs after every click.
    """
    opps = wb.opportunities[wb.opportunities["account_id"] == account_id]
    q = wb.qualification
    rows = q[q["opportunity_id"].isin(opps.index)]
    known = set(wb.questions.index)
    latest: dict[tuple[str, str], tuple[Any, int, str]] = {}
    for n, (opp, qid, answer, day) in enumerate(zip(rows["opportunity_id"], rows["question_id"], rows["answer"], rows["assessed_on"], strict=True)):
        if qid not in known:
            continue
        stamp = day.value if not pd.isna(day) else -(2**63)
        prev = latest.get((opp, qid))
        if prev is None or (stamp, n) >= (prev[0], prev[1]):  # later date wins; on the same date, the later row
            latest[(opp, qid)] = (stamp, n, answer)
    words = ("yes", "partly", "no", "unknown")
    counts = {oid: dict.fromkeys(words, 0) for oid in opps.index}
    for (opp, _), (_, _, answer) in latest.items():
        if answer in counts[opp]:
            counts[opp][answer] += 1
    table = pd.DataFrame([counts[o] for o in opps.index], index=opps.index, columns=list(words))
    table.insert(0, "name", opps["name"])
    table.insert(1, "value", opps["value"])
    table["open"] = len(known) - table[list(words)].sum(axis=1)
    return table


def _changes_since_assessment(wb: Workbook, account_id: str) -> tuple[str | None, list[str]]:
    """What differs from the last recorded assessment: judgements, people's placement, answers given since."""
    lines: list[str] = []
    hist = wb.history[wb.history["account_id"] == account_id].sort_values("assessed_on", kind="stable")
    last_date = None
    if len(hist):
        last = hist.iloc[-1]
        last_date = last["assessed_on"]
        acc = wb.accounts.loc[account_id]
        for col in JUDGEMENTS:
            before, now = last[col], acc[col]
            if pd.notna(before) and pd.notna(now) and before != now:
                arrow = "up" if now > before else "down"
                lines.append(f"{col.replace('_', ' ')} {arrow}: {before:g} → {now:g}")
    people = wb.stakeholders[wb.stakeholders["account_id"] == account_id]
    sh = wb.stakeholder_history[wb.stakeholder_history["stakeholder_id"].isin(people.index)]
    if len(sh):
        prev = sh.sort_values("assessed_on", kind="stable").drop_duplicates("stakeholder_id", keep="last").set_index("stakeholder_id")
        for sid, row in people.iterrows():
            if sid in prev.index:
                p = prev.loc[str(sid)]
                moves = [f"{c} {p[c]:g} → {row[c]:g}" for c in ("influence", "support") if pd.notna(p[c]) and pd.notna(row[c]) and p[c] != row[c]]
                if moves:
                    lines.append(f"{row['name']}: " + ", ".join(moves))
    new_people = [n for sid, n in zip(people.index, people["name"], strict=True) if str(sid).startswith("ST-W")]
    if new_people:
        lines.append("new on the grid: " + ", ".join(new_people))
    if last_date is not None and pd.notna(last_date):
        q = wb.for_account("qualification", account_id)
        n = int((q["assessed_on"] > last_date).sum())
        r = wb.for_account("relationship", account_id)
        m = int((r["assessed_on"] > last_date).sum())
        if n:
            lines.append(f"{n} qualification answer(s) given since then")
        if m:
            lines.append(f"{m} relationship score(s) given since then")
    return (None if last_date is None or pd.isna(last_date) else pd.Timestamp(last_date).strftime("%Y-%m-%d")), lines


def tier_name(settings: dict[str, Any], tier: Any) -> str | None:
    """The room's name of a tier code ("retain" → "Retain / defend"), from ``classification.tiers.names``.

    Example:
        >>> tier_name({}, "retain"), tier_name({}, None)
        ('Retain / defend', None)
    """
    if tier is None or (not isinstance(tier, str) and pd.isna(tier)):
        return None
    from kamnb.workbook import banks

    def names(source: dict[str, Any]) -> dict[str, Any]:
        found = ((source.get("classification") or {}).get("tiers") or {}).get("names")
        return found if isinstance(found, dict) else {}

    own = names(settings or {})
    if str(tier) in own:
        return str(own[str(tier)])
    return str(names(banks.load_settings()).get(str(tier), tier))


def sways(wb: Workbook) -> list[str]:
    """Who sways whom beyond the reporting line, as the room reads it ("Ann Berg → Carl Diaz"), from the stakeholders' ``influences``.

    Example:
        >>> sways(one_account(load_workbook("data/sample"), "ACC-001"))[:1]  # doctest: +SKIP
        ['Sofia Brandt → Jonas Maier']
    """
    from kamnb.workbook.reporting_lines import influence_ids

    people = wb.stakeholders
    if "influences" not in people.columns or people.empty:
        return []
    names = dict(zip(people.index.map(str), people["name"].map(str), strict=True))
    return [f"{names[s]} → {names[t]}" for s, text in zip(names, people["influences"], strict=True) for t in influence_ids(text) if t in names and t != s]


def risk_signs(session: WorkshopSession) -> dict[str, Any]:
    """The signs of risk of every account (for the retain / defend tier), read again only for accounts a change touched.

    The first call reads them for the whole portfolio at once; after that an
    account's signs are read from its own rows when :func:`account_stamp`
    says they changed (the whole portfolio again when many did). The same
    signs as reading the whole workbook.
    """
    import numpy as np

    from kamnb.classification.retention import workbook_signs

    ids = list(session.wb.accounts.index)
    stamps = {a: account_stamp(session, a) for a in ids}
    kept = session._cache.get("signs")
    per: dict[str, tuple[Any, dict[str, bool]]] = kept[1] if kept is not None and kept[0] == ids else {}
    stale = sum(per[a][0] != stamps[a] for a in ids) if per else len(ids)
    if stale > max(1, len(ids) // 4):  # many accounts at once (a new review date, a re-read): one pass over the portfolio is cheaper
        every = workbook_signs(session.wb)
        per = {a: (stamps[a], {k: bool(v[i]) for k, v in every.items()}) for i, a in enumerate(ids)}
    else:
        for a in ids:
            if per[a][0] != stamps[a]:
                one = workbook_signs(_one_account(session, a))
                per[a] = (stamps[a], {k: bool(v[0]) for k, v in one.items()})
    session._cache["signs"] = (ids, per)
    names = list(per[ids[0]][1]) if ids else []
    return {k: np.array([per[a][1][k] for a in ids], dtype=bool) for k in names}


def classification(session: WorkshopSession) -> pd.DataFrame:
    """The portfolio's classification, computed again only when the accounts, their history or a sign of risk changed.

    An answer or a score for one account reads that account's signs again
    (:func:`risk_signs`); the ranking over every account is redone only when
    its inputs differ, so the result equals :func:`~kamnb.classification.score.classify` of the whole workbook.

    Example:
        >>> classification(session).loc["ACC-001", "tier"]  # doctest: +SKIP
        'retain'
    """
    from kamnb.classification.score import classify

    signs = risk_signs(session)
    key = (session.loads, session.sheet_version("accounts"), session.sheet_version("history"), str(session.wb.settings.get("as_of")),
           tuple((k, v.tobytes()) for k, v in sorted(signs.items())))
    kept = session._cache.get("classify")
    if kept is not None and kept[0] == key:
        return kept[1]
    result = classify(session.wb, signs=signs)
    session._cache["classify"] = (key, result)
    return result


def scores(session: WorkshopSession, account_id: str) -> dict[str, Any]:
    """The figures that come from the scoring modules, for one account (the slow part of the summary).

    Classification needs the whole portfolio (it ranks accounts against each other)
    and is recomputed only when a sheet it reads changed; the rest runs on a view
    holding only this account's rows.

    Example:
        >>> sorted(scores(session, "ACC-001"))[:3]  # doctest: +SKIP
        ['errors', 'key_score', 'likelihood']
    """
    wb = session.wb
    view = _one_account(session, account_id)
    out: dict[str, Any] = {"tier": None, "tier_name": None, "key_score": None, "likelihood": None, "status": None, "relationship_score": None, "red_flags": None, "errors": []}
    from kamnb.qualification.score import score_opportunities
    from kamnb.relationships.redflags import red_flags
    from kamnb.relationships.score import relationship_scores

    try:
        cls = classification(session)
        out["tier"] = cls.loc[account_id, "tier"]
        out["tier_name"] = tier_name(wb.settings, out["tier"])
        out["key_score"] = cls.loc[account_id, "key_score"]
    except Exception as err:  # a live room must not lose the panel over one figure
        out["errors"].append(f"tier: {err}")
    try:
        scored = score_opportunities(view)
        out["likelihood"], out["status"] = scored["likelihood"], scored["status"]
    except Exception as err:
        out["errors"].append(f"likelihood: {err}")
    try:
        out["relationship_score"] = relationship_scores(view)["score"].get(account_id)
    except Exception as err:
        out["errors"].append(f"relationship score: {err}")
    try:
        flags = red_flags(view, account_id)
        from kamnb.relationships.redflags import RED_FLAGS

        flags = flags.assign(title=[RED_FLAGS[f].title if f in RED_FLAGS else str(f).replace("_", " ") for f in flags["flag"]])
        out["red_flags"] = flags
    except Exception as err:
        out["errors"].append(f"red flags: {err}")
    session.last_scores[account_id] = (session.seen, out)
    return out


def summary(session: WorkshopSession, account_id: str, *, fresh_scores: bool = True) -> dict[str, Any]:
    """The figures the summary panel shows for one account, from the current state.

    With ``fresh_scores=False`` the scoring-module figures are the last ones
    computed (``pending`` is then True when they predate the latest change);
    everything kamnb counts itself (answers, indicators scored, what changed,
    who disagrees) is always current. Keys: name, tier, key_score,
    opportunities (DataFrame), relationship_score, indicators_scored,
    red_flags, last_assessed, changes, spread, missing, errors, pending.

    Example:
        >>> summary(session, "ACC-001")["pending"]  # doctest: +SKIP
        False
    """
    wb = session.wb
    acc = wb.account(account_id)
    out: dict[str, Any] = {"account_id": account_id, "name": acc["name"], "pending": False}
    if fresh_scores or account_id not in session.last_scores:
        sc = scores(session, account_id) if fresh_scores else None
    else:
        seen, sc = session.last_scores[account_id]
        out["pending"] = seen != session.seen
    if sc is None:
        sc = {"tier": None, "tier_name": None, "key_score": None, "likelihood": None, "status": None, "relationship_score": None, "red_flags": None, "errors": []}
        out["pending"] = True
    view = _one_account(session, account_id)  # the account's rows, filtered again only where a sheet changed
    tally = _answer_tally(view, account_id)
    tally["likelihood"] = sc["likelihood"].reindex(tally.index) if sc["likelihood"] is not None else float("nan")
    tally["status"] = sc["status"].reindex(tally.index).fillna("") if sc["status"] is not None else ""
    out["opportunities"] = tally
    rel = view.relationship
    rel = rel.sort_values("assessed_on", kind="stable", na_position="first").drop_duplicates("indicator_id", keep="last")
    out["indicators_scored"] = int(rel["score"].notna().sum())
    for k in ("tier", "tier_name", "key_score", "relationship_score", "red_flags", "errors"):
        out[k] = sc[k]
    out["last_assessed"], out["changes"] = _changes_since_assessment(view, account_id)
    out["sways"] = sways(view)
    out["spread"] = session.spread(account_id)
    out["journal_changes"] = session.seen
    return out

