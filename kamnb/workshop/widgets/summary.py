"""The summary panel and the decision-making grid for the widgets (they live in :mod:`kamnb.workshop.panel`).

Example:
    >>> from kamnb.workshop.widgets.summary import grid_svg
    >>> grid_svg([])[:4]
    '<svg'
"""
from __future__ import annotations

from kamnb.workshop.panel import SUPPORT_WORDS, grid_svg, render

__all__ = ["SUPPORT_WORDS", "grid_svg", "render"]
