"""The ``qualification:`` settings, checked, and the curve that turns a score (0-100) into a likelihood (0..1).

Example:
    >>> cfg = qualification_settings({})
    >>> float(likelihood_from_score(100.0, cfg)) > float(likelihood_from_score(50.0, cfg))
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kamnb import settings as kamnb_settings
from kamnb.errors import QualificationSettingsError
from kamnb.workbook.schema import ANSWERS

CLOSED_STAGES = ("won", "lost")
STATUSES = ("qualified", "not qualified", "qualify out")


@dataclass(frozen=True)
class QualificationSettings:
    """The ``qualification:`` settings in force, checked. See ``kamnb/defaults/settings.yaml``.

    Example:
        >>> qs = qualification_settings(wb.settings)
        >>> qs.min_answers
        1
    """

    points: dict[str, float]
    evidence_discount: float
    curve_x: np.ndarray
    curve_y: np.ndarray
    min_answers: int
    knockout_questions: tuple[str, ...]
    knockout_needs_evidence: bool
    litmus_no_below: float
    max_no_share: float
    min_likelihood: float
    min_firm_share: float
    bands: tuple[float, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    consensus_days: float | None = 30.0

    @property
    def neutral(self) -> float:
        """Points of a neutral answer: halfway between ``no`` and ``yes``."""
        return (self.points["yes"] + self.points["no"]) / 2


def _bad(key: str, found: Any, expected: str) -> QualificationSettingsError:
    return QualificationSettingsError(f"settings.yaml, qualification.{key}: found {found!r}, expected {expected}")


def _number(section: dict[str, Any], key: str, lo: float, hi: float, prefix: str = "") -> float:
    value = section.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]  # None and text are refused just below
    except (TypeError, ValueError):
        raise _bad(prefix + key, value, f"a number from {lo:g} to {hi:g}") from None
    if not lo <= number <= hi:
        raise _bad(prefix + key, value, f"a number from {lo:g} to {hi:g}")
    return number


def qualification_settings(settings: dict[str, Any]) -> QualificationSettings:
    """Read and check the ``qualification:`` section (missing keys take the built-in defaults).

    >>> cfg = qualification_settings({"qualification": {"evidence_discount": 0.25}})
    >>> cfg.evidence_discount, cfg.points["partly"]
    (0.25, 0.5)
    >>> qualification_settings({"qualification": {"evidence_discount": 2}})
    Traceback (most recent call last):
    ...
    kamnb.errors.QualificationSettingsError: settings.yaml, qualification.evidence_discount: found 2, expected a number from 0 to 1
    """
    own = settings.get("qualification") or {}
    if not isinstance(own, dict):
        raise _bad("", own, "a mapping of qualification settings")
    sec = kamnb_settings.section({"qualification": own}, "qualification")
    pts_in = sec["answer_points"]
    if not isinstance(pts_in, dict):
        raise _bad("answer_points", pts_in, "a mapping answer: points")
    points = {a: _number(pts_in, a, 0.0, 1.0, "answer_points.") for a in ANSWERS}
    if points["yes"] != 1.0:
        raise _bad("answer_points.yes", points["yes"], "1 (a yes is full marks)")
    if not points["no"] <= points["partly"] <= points["yes"]:
        raise _bad("answer_points.partly", points["partly"], "points between those of no and yes")
    if points["unknown"] > points["partly"]:
        raise _bad("answer_points.unknown", points["unknown"], "no more points than partly (unknown is a risk, not neutral)")
    curve = sec["likelihood_curve"]
    try:
        arr = np.asarray(curve, dtype=float)
        ok = arr.ndim == 2 and arr.shape[1] == 2 and len(arr) >= 2
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise _bad("likelihood_curve", curve, "a list of at least two [score, likelihood] pairs")
    xs, ys = arr[:, 0], arr[:, 1]
    if xs[0] != 0 or xs[-1] != 100 or np.any(np.diff(xs) <= 0):
        raise _bad("likelihood_curve", curve, "scores rising from 0 to 100")
    if np.any(np.diff(ys) < 0) or ys.min() < 0 or ys.max() > 1:
        raise _bad("likelihood_curve", curve, "likelihoods from 0 to 1 that never fall as the score rises")
    qo = sec["qualify_out"] if isinstance(sec["qualify_out"], dict) else {}
    knock = qo.get("knockout_questions") or []
    if not isinstance(knock, list):
        raise _bad("qualify_out.knockout_questions", knock, "a list of question ids")
    bands = sec["likelihood_bands"]
    if not isinstance(bands, list) or any(not isinstance(b, (int, float)) for b in bands) or sorted(bands) != bands or not all(0 < b < 1 for b in bands):
        raise _bad("likelihood_bands", bands, "a rising list of band limits between 0 and 1, such as [0.25, 0.5, 0.75]")
    return QualificationSettings(
        points=points,
        evidence_discount=_number(sec, "evidence_discount", 0.0, 1.0),
        curve_x=xs,
        curve_y=ys,
        min_answers=int(_number(sec, "min_answers", 1, 1000)),
        knockout_questions=tuple(str(k) for k in knock),
        knockout_needs_evidence=bool(qo.get("knockout_needs_evidence")),
        litmus_no_below=_number(qo, "litmus_no_below", 0.0, 1.0, "qualify_out."),
        max_no_share=_number(qo, "max_no_share", 0.0, 1.0, "qualify_out."),
        min_likelihood=_number(qo, "min_likelihood", 0.0, 1.0, "qualify_out."),
        min_firm_share=_number(qo, "min_firm_share", 0.0, 1.0, "qualify_out."),
        bands=tuple(float(b) for b in bands),
        consensus_days=None if sec.get("consensus_days") is None else _number(sec, "consensus_days", 0, 100000),
        raw=sec,
    )


def likelihood_from_score(score: Any, cfg: QualificationSettings) -> np.ndarray:
    """The likelihood (0..1) for a score (0..100): straight lines between the curve's points.

    NaN stays NaN (an opportunity without answers has no likelihood).

    >>> cfg = qualification_settings({})
    >>> [round(float(x), 3) for x in likelihood_from_score([0, 50, 70, 100], cfg)]
    [0.02, 0.275, 0.55, 0.9]
    """
    s = np.asarray(score, dtype=float)
    return np.where(np.isnan(s), np.nan, np.interp(s, cfg.curve_x, cfg.curve_y))
