"""The workbook contract: every sheet, its columns, their types and ranges.

A workbook is a folder with one CSV per sheet (``accounts.csv``, ...) or one
``.xlsx`` file whose tabs carry the same names. This module is the single place
that says what each sheet holds; the loader, the validator and
``docs/workbook.md`` all read it.

Column kinds:

``id``       text that identifies a row; unique within its sheet
``ref``      text that must match an id in another sheet (``ref_sheet``)
``refs``     several such ids separated by ``;`` (empty for none)
``text``     free text, kept exactly as typed (a formula-looking cell stays text)
``number``   a decimal number; ``min``/``max`` bound it where given
``integer``  a whole number
``score``    a team judgement on a stated scale (``min``..``max``)
``date``     a calendar date (ISO ``2026-03-31`` preferred; ``31/03/2026`` accepted) from
             1900-01-01 to 2199-12-31; where ``open_end`` is set, a later date
             such as ``9999-12-31`` means "no date" and the cell reads as empty
``choice``   one word out of ``choices`` (case and surrounding spaces forgiven)
``percent``  0..100; ``32``, ``32%`` and ``0.32`` when written as ``32%`` in Excel

Example:
    >>> from kamnb.workbook.schema import SHEETS
    >>> SHEETS["accounts"].columns[0].name
    'account_id'
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column of a sheet: name, kind, whether it must be filled, bounds.

    Example:
        >>> Column("revenue_12m", "money", min=0).required
        False
    """

    name: str
    kind: str
    required: bool = False
    description: str = ""
    example: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    ref_sheet: str | None = None
    open_end: bool = False
    """For a date: a date after 2199-12-31 (such as ``9999-12-31``) means "no date", not an error."""

    @property
    def expected(self) -> str:
        """What a valid value looks like, in words for an error message."""
        if self.kind == "score":
            return f"a score from {self.min:g} to {self.max:g}"
        if self.kind == "percent":
            return "a percentage from 0 to 100"
        if self.kind in ("number", "integer"):
            word = "a whole number" if self.kind == "integer" else "a number"
            if self.min is not None and self.max is not None:
                return f"{word} from {self.min:g} to {self.max:g}"
            if self.min is not None:
                return f"{word} of at least {self.min:g}"
            return word
        if self.kind == "date":
            return "a date such as 2026-03-31" + (" (9999-12-31 for none)" if self.open_end else "")
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "ref":
            return f"an id from the {self.ref_sheet} sheet"
        if self.kind == "refs":
            return f"ids from the {self.ref_sheet} sheet separated by ';'"
        if self.kind == "id":
            return "a unique id"
        return "text"


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook.

    Example:
        >>> SHEETS["accounts"].name
        'accounts'
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    key: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ANSWERS = ("yes", "partly", "no", "unknown")
OPPORTUNITY_KINDS = ("retain", "grow", "new")
STAGES = ("identified", "qualifying", "proposal", "negotiation", "won", "lost")
SENIORITY = ("executive", "senior_manager", "manager", "staff")
DECISION_ROLES = (
    "economic_buyer",
    "decision_maker",
    "technical_buyer",
    "user",
    "influencer",
    "gatekeeper",
    "coach",
)
ACTION_CATEGORIES = ("consult_advise", "care_cultivate", "sell_service")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")
PRICING_MODELS = ("time_material", "unit_price", "fixed_price", "subscription", "mixed")
WHITESPACE_STATUSES = ("bought", "open", "lost", "not_offered", "competitor")


def _score(name: str, description: str, example: str = "3") -> Column:
    return Column(name, "score", False, description, example, min=1, max=5)


ACCOUNTS = Sheet(
    "accounts",
    "One row per customer account: the figures finance knows and the judgements the team makes.",
    (
        Column("account_id", "id", True, "Short stable id used everywhere else", "ACC-001"),
        Column("name", "text", True, "Customer name as the team says it", "Nordlicht Logistics"),
        Column("industry", "text", False, "Industry or sector", "logistics"),
        Column("country", "text", False, "Country of the account's head office", "Germany"),
        Column("parent_id", "ref", False, "Parent account for groups and subsidiaries; empty for a stand-alone account", "ACC-010", ref_sheet="accounts"),
        Column("revenue_12m", "number", True, "Our revenue with the account over the last 12 months", "1250000", min=0),
        Column("revenue_prev_12m", "number", False, "Our revenue over the 12 months before that", "1100000", min=0),
        Column("gross_margin_pct", "percent", False, "Our gross margin on that revenue, in percent", "32", min=-100, max=100),
        Column("cost_to_serve", "number", False, "Yearly cost of serving the account (account team, service, travel)", "90000", min=0),
        Column("revenue_potential_3y", "number", False, "Revenue we could reach with the account per year within three years", "2000000", min=0),
        Column("share_of_wallet_pct", "percent", False, "Our share of what the customer spends on what we sell", "25", min=0, max=100),
        Column("customer_since", "date", False, "First order date", "2015-06-01"),
        Column("account_manager", "text", False, "Our person accountable for the account", "Jana Weber"),
        Column("account_team", "text", False, "Our other people on the account, separated by ';' (a CRM import lists who has deals there and their sales manager)", "Tom Berg; Aylin Kaya"),
        Column("team_effort_days", "number", False, "Days our team spent on the account over the last 12 months", "60", min=0),
        _score("growth_potential", "Room for growth with the customer: 1 none, 5 large"),
        _score("strategic_fit", "How well the account takes us where we want to go: 1 not at all, 5 fully"),
        _score("partner_willingness", "Their willingness to work as partners: 1 none, 5 eager"),
        _score("transparency", "Their willingness to share plans and figures: 1 closed, 5 open book"),
        _score("our_willingness", "Our own willingness to invest in the partnership: 1 none, 5 fully"),
        _score("our_transparency", "Our willingness to share our plans, costs and roadmap with them: 1 closed, 5 open book"),
        _score("our_growth_commitment", "Our readiness to put people and money into growing with them: 1 none, 5 fully"),
        _score("buy_sell_position", "Where they see us: 1 commodity supplier, 2 approved supplier, 3 solution provider, 4 strategic supplier, 5 trusted business partner"),
        _score("service_demand", "How much the account demands of us: 1 light, 5 very demanding"),
        _score("responsiveness", "How the account answers extra effort with extra business: 1 not at all, 5 strongly"),
        Column("account_goal", "text", False, "The account goal, written from the customer's side and their end result", "Cut Nordlicht's cross-dock time by 20 % by 2028"),
    ),
    key=("account_id",),
)

STAKEHOLDERS = Sheet(
    "stakeholders",
    "People at the customer who take part in decisions, and who of ours owns the contact.",
    (
        Column("stakeholder_id", "id", True, "Short stable id", "ST-001"),
        Column("account_id", "ref", True, "Account the person works for", "ACC-001", ref_sheet="accounts"),
        Column("name", "text", True, "Full name", "Petra Lang"),
        Column("title", "text", False, "Job title", "Chief Operating Officer"),
        Column("function", "text", False, "Function such as operations, finance, IT, procurement", "operations"),
        Column("seniority", "choice", False, "Level in their organisation", "executive", choices=SENIORITY),
        Column("influence", "score", False, "Weight of their vote: 1 notional, 5 hugely influential; empty: not judged yet (the grid leaves the person out)", "4", min=1, max=5),
        Column("support", "score", False, "Their support for us: 1 hostile, 2 sceptical, 3 neutral, 4 supportive, 5 advocate; empty: not judged yet", "4", min=1, max=5),
        Column("decision_role", "choice", False, "Role in the buying decision", "economic_buyer", choices=DECISION_ROLES),
        Column("contact_owner", "text", False, "Our person who owns the relationship (several separated by ';')", "Jana Weber"),
        Column("our_function", "text", False, "Function of that person of ours", "account management"),
        Column("last_contact", "date", False, "Date of the last real conversation", "2026-10-02"),
        Column("contact_days_12m", "number", False, "Days of contact time our team spent with the person over 12 months", "6", min=0),
        Column("plan", "text", False, "What we plan to do with this person", "Invite to the innovation day"),
        Column("reports_to", "ref", False, "The stakeholder this person reports to (same account); empty at the top of the organisation", "ST-002", ref_sheet="stakeholders"),
        Column("influences", "refs", False, "Stakeholders this person sways beyond the reporting line, ids separated by ';'", "ST-004; ST-005", ref_sheet="stakeholders"),
    ),
    key=("stakeholder_id",),
)

OPPORTUNITIES = Sheet(
    "opportunities",
    "Retention and growth opportunities per account.",
    (
        Column("opportunity_id", "id", True, "Short stable id", "OP-001"),
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("name", "text", True, "What the opportunity is", "Renew warehouse support contract"),
        Column("kind", "choice", True, "retain (keep existing revenue), grow (more with the account), new (a new line)", "retain", choices=OPPORTUNITY_KINDS),
        Column("value", "number", True, "Yearly value if won", "400000", min=0),
        Column("stage", "choice", False, "Sales stage", "proposal", choices=STAGES),
        Column("expected_close", "date", False, "Expected decision date", "2027-03-31", open_end=True),
        Column("owner", "text", False, "Our person driving it", "Jana Weber"),
        Column("offering_id", "ref", False, "Which of our offerings it is about (for the whitespace map)", "WMS-SUPPORT", ref_sheet="offerings"),
        Column("business_unit", "text", False, "Business unit, site or region of the customer it is for; empty for the whole account", "Hamburg hub"),
    ),
    key=("opportunity_id",),
)

QUALIFICATION = Sheet(
    "qualification",
    "Answers to the qualification questions, per opportunity and question; several dates make a history.",
    (
        Column("opportunity_id", "ref", True, "Opportunity", "OP-001", ref_sheet="opportunities"),
        Column("question_id", "ref", True, "Question id from the question bank", "budget", ref_sheet="questions"),
        Column("answer", "choice", True, "yes, partly, no or unknown", "partly", choices=ANSWERS),
        Column("evidence", "text", False, "What we know that supports the answer", "Budget line seen in their 2027 plan"),
        Column("assessed_on", "date", False, "When the answer was given", "2026-09-15"),
        Column("assessed_by", "text", False, "Who gave it", "Jana Weber"),
    ),
    required=False,
)

RELATIONSHIP = Sheet(
    "relationship",
    "Relationship indicator scores per account; several assessment dates make a history.",
    (
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("indicator_id", "ref", True, "Indicator id from the indicator bank", "prompt_payment", ref_sheet="indicators"),
        Column("score", "score", True, "1 not at all, 3 partly, 5 fully", "4", min=1, max=5),
        Column("evidence", "text", False, "What shows it", "Paid within 14 days all year"),
        Column("assessed_on", "date", True, "Assessment date", "2026-09-15"),
        Column("assessed_by", "text", False, "Who scored it", "Jana Weber"),
    ),
    required=False,
)

ACTIONS = Sheet(
    "actions",
    "The account action plan: consult & advise, care & cultivate, sell & service.",
    (
        Column("action_id", "id", True, "Short stable id", "AC-001"),
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("category", "choice", True, "consult_advise, care_cultivate or sell_service", "care_cultivate", choices=ACTION_CATEGORIES),
        Column("action", "text", True, "What will be done", "Quarterly business review with the COO"),
        Column("owner", "text", False, "Who does it", "Jana Weber"),
        Column("due", "date", False, "When it is due", "2026-12-15", open_end=True),
        Column("status", "choice", False, "open, in_progress, done or dropped", "open", choices=ACTION_STATUSES),
    ),
    required=False,
    key=("action_id",),
)

VALUE = Sheet(
    "value",
    "What the customer gains through our work and how we are paid, for the value ratio and the price-pressure simulator.",
    (
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("pricing_model", "choice", False, "How we are paid", "time_material", choices=PRICING_MODELS),
        Column("annual_fees", "number", False, "What the customer pays us per year (defaults to revenue_12m)", "3900000", min=0),
        Column("value_low", "number", False, "Customer's yearly savings or earnings through our work, cautious estimate", "5000000", min=0),
        Column("value_expected", "number", False, "Same, expected estimate", "7000000", min=0),
        Column("value_high", "number", False, "Same, optimistic estimate", "9000000", min=0),
        Column("contract_years", "number", False, "Length of the contract in years", "3", min=0),
        Column("team_size", "number", False, "People we have working for the customer (time and material)", "40", min=0),
        Column("daily_rate", "number", False, "Daily rate we charge per person", "650", min=0),
        Column("days_per_year", "number", False, "Billable days per person per year", "210", min=0, max=366),
        Column("daily_cost", "number", False, "Our cost per person-day", "480", min=0),
        Column("requested_rate_cut_pct", "percent", False, "Rate (or unit price) cut the customer asked for, in percent", "10", min=0, max=100),
        Column("units_per_year", "number", False, "Units the customer buys per year (unit price x volume)", "2900", min=0),
        Column("unit_price", "number", False, "Price we charge per unit", "500", min=0),
        Column("unit_cost", "number", False, "Our cost per unit", "360", min=0),
    ),
    required=False,
    key=("account_id",),
)

HISTORY = Sheet(
    "history",
    "Earlier assessments of an account's judgements, for trends and the arrow on the portfolio matrix.",
    (
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("assessed_on", "date", True, "Date of that assessment", "2025-10-01"),
        Column("revenue_12m", "number", False, "Revenue at the time", "1100000", min=0),
        _score("growth_potential", "As on the accounts sheet"),
        _score("strategic_fit", "As on the accounts sheet"),
        _score("partner_willingness", "As on the accounts sheet"),
        _score("transparency", "As on the accounts sheet"),
        _score("our_willingness", "As on the accounts sheet"),
        _score("buy_sell_position", "As on the accounts sheet"),
    ),
    required=False,
)

STAKEHOLDER_HISTORY = Sheet(
    "stakeholder_history",
    "Earlier placements of stakeholders on the decision-making grid, for 'who changed zone'.",
    (
        Column("stakeholder_id", "ref", True, "Stakeholder", "ST-001", ref_sheet="stakeholders"),
        Column("assessed_on", "date", True, "Date of that assessment", "2025-10-01"),
        Column("influence", "score", True, "As on the stakeholders sheet", "3", min=1, max=5),
        Column("support", "score", True, "As on the stakeholders sheet", "2", min=1, max=5),
    ),
    required=False,
)

OFFERINGS = Sheet(
    "offerings",
    "Our products or services: the rows of the whitespace map.",
    (
        Column("offering_id", "id", True, "Short stable id", "WMS-SUPPORT"),
        Column("name", "text", True, "What the offering is called", "Warehouse system support"),
        Column("family", "text", False, "Product family or practice it belongs to", "Support"),
        Column("list_price", "number", False, "Typical yearly price; the potential of a cell nobody has estimated", "120000", min=0),
    ),
    required=False,
    key=("offering_id",),
)

WHITESPACE = Sheet(
    "whitespace",
    "The whitespace map: per account, offering and business unit, what they have of it and what they could buy.",
    (
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("offering_id", "ref", True, "Offering", "WMS-SUPPORT", ref_sheet="offerings"),
        Column("business_unit", "text", False, "Business unit, site or region; empty for the whole account", "Hamburg hub"),
        Column("status", "choice", True, "bought, open (in the pipeline), lost, not_offered or competitor (a competitor holds it)", "competitor", choices=WHITESPACE_STATUSES),
        Column("competitor", "text", False, "Who holds it, when a competitor does", "LogiSoft"),
        Column("current", "number", False, "What they buy of it from us per year now", "0", min=0),
        Column("potential", "number", False, "What they could buy of it from us per year", "150000", min=0),
        Column("note", "text", False, "What we know", "Contract with LogiSoft ends in 2027"),
    ),
    required=False,
)

TO_JUDGE_COLUMNS = ("growth_potential", "strategic_fit", "partner_willingness", "transparency", "our_willingness", "our_transparency",
                    "our_growth_commitment", "buy_sell_position", "service_demand", "responsiveness", "gross_margin_pct", "revenue_potential_3y",
                    "cost_to_serve", "account_goal")

TO_JUDGE = Sheet(
    "to_judge",
    "What the team must judge next for each key account (a CRM import writes it as to_judge.csv and to_judge.xlsx); a filled cell is laid over the accounts sheet.",
    (
        Column("account_id", "ref", True, "Account", "ACC-001", ref_sheet="accounts"),
        Column("name", "text", False, "Account name, for the reader", "Nordlicht Logistics"),
        Column("why", "text", False, "Why the account is on the list", "key on computed figures alone (judged: none; computed: big)"),
        *(ACCOUNTS.column(c) for c in TO_JUDGE_COLUMNS),
    ),
    required=False,
)

SHEETS: dict[str, Sheet] = {
    s.name: s
    for s in (
        ACCOUNTS,
        STAKEHOLDERS,
        OPPORTUNITIES,
        QUALIFICATION,
        RELATIONSHIP,
        ACTIONS,
        VALUE,
        HISTORY,
        STAKEHOLDER_HISTORY,
        OFFERINGS,
        WHITESPACE,
        TO_JUDGE,
    )
}
"""Every sheet a workbook may hold, in the order they are documented and checked."""


def reference_markdown() -> str:
    """The column reference of every sheet as Markdown tables (the body of docs/workbook.md).

    >>> "| account_id | id | yes |" in reference_markdown()
    True
    """
    out: list[str] = []
    for sheet in SHEETS.values():
        need = "required" if sheet.required else "optional"
        out.append(f"### `{sheet.name}` ({need})\n\n{sheet.description}\n")
        out.append("| column | kind | required | expected | example | meaning |")
        out.append("|---|---|---|---|---|---|")
        for c in sheet.columns:
            req = "yes" if c.required else ""
            out.append(f"| {c.name} | {c.kind} | {req} | {c.expected} | `{c.example}` | {c.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(reference_markdown())
