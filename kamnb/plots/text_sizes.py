"""Text sizes measured once per process, not once per chart.

Before matplotlib draws a piece of text it measures it: to align it, to keep
the axis labels clear of the tick labels, to lay out a legend. For SVG (and
PDF) output the measure comes from :class:`matplotlib.textpath.TextToPath`
and depends only on the text, its font properties and the fonts installed.
matplotlib keeps the measures for one saved figure only, so every chart
measured its tick labels, titles and legend entries again: in a batch of
reviews the same strings ("0", "25", "Likelihood (%)", a legend entry) were
measured 16 times per account. Measuring is the single largest cost of
drawing a chart after the layout itself (about a tenth of it).

:func:`remember_text_sizes` (installed by the IPython extension ``%load_ext kamnb.plots``)
keeps the measures for the life of the process. It returns the same numbers,
so a chart is the same, byte for byte (``tests/plots/test_plots.py`` checks it);
the key includes everything the measure depends on: the text, the font
properties, the font families configured in ``rcParams`` and the font list
itself. Mathtext and TeX are measured every time, as before.

Example:
    >>> from matplotlib.font_manager import FontProperties
    >>> from matplotlib.textpath import TextToPath
    >>> remember_text_sizes()
    >>> size = TextToPath().get_text_width_height_descent("Pipeline", FontProperties(size=9), False)
    >>> size == TextToPath().get_text_width_height_descent("Pipeline", FontProperties(size=9), False), measured() >= 1
    (True, True)
"""
from __future__ import annotations

from typing import Any

from matplotlib import font_manager, rcParams
from matplotlib.textpath import TextToPath

CHECKED_MATPLOTLIB = ("3.11",)
"""matplotlib versions whose ``TextToPath.get_text_width_height_descent`` this store was checked against
(same signature, same result for the same text and font)."""

MAX_SIZES = 50_000
"""Measures kept at most (about 10 MB); the store starts again empty when full, so memory stays flat."""

_SIZES: dict[tuple[Any, ...], tuple[float, float, float]] = {}
_FAMILIES = ("font.family", "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace")


def _key(s: str, prop: Any) -> tuple[Any, ...]:
    return (
        s,
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        tuple(tuple(rcParams[k]) if isinstance(rcParams[k], list) else rcParams[k] for k in _FAMILIES),
        id(font_manager.fontManager),
    )


def _measure_once(measure: Any) -> Any:
    def get_text_width_height_descent(self: TextToPath, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:  # mathtext or TeX: their own settings apply, measured as before
            return measure(self, s, prop, ismath)
        key = _key(s, prop)
        size = _SIZES.get(key)
        if size is None:
            size = measure(self, s, prop, ismath)
            if len(_SIZES) >= MAX_SIZES:
                _SIZES.clear()
            _SIZES[key] = size
        return size

    get_text_width_height_descent.__doc__ = measure.__doc__
    get_text_width_height_descent._kamnb_measure = measure  # type: ignore[attr-defined]
    return get_text_width_height_descent


def remember_text_sizes() -> None:
    """Keep text measures between charts (idempotent)."""
    current = TextToPath.get_text_width_height_descent
    if not hasattr(current, "_kamnb_measure"):
        TextToPath.get_text_width_height_descent = _measure_once(current)  # type: ignore[method-assign]


def forget_text_sizes() -> None:
    """Measure every text again for every chart, as matplotlib does by itself (for comparisons)."""
    current = TextToPath.get_text_width_height_descent
    original = getattr(current, "_kamnb_measure", None)
    if original is not None:
        TextToPath.get_text_width_height_descent = original  # type: ignore[method-assign]
    _SIZES.clear()


def measured() -> int:
    """How many distinct text measures are kept."""
    return len(_SIZES)
