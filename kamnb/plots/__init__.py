"""Charts for the reviews. One module per step of the method; this file holds the shared look.

Every chart function returns a :class:`matplotlib.figure.Figure` and never
calls ``plt.show()``: a notebook displays the figure it gets, the batch
embeds it in the HTML review, a test can save it to PNG.

Example:
    >>> from kamnb.plots import new_figure
    >>> fig, ax = new_figure("Revenue by account")
    >>> ax.get_title(loc="left")
    'Revenue by account'
"""
from __future__ import annotations

from collections.abc import Iterable

from matplotlib.axes import Axes
from matplotlib.figure import Figure

# A calm palette that prints well in colour and in grey.
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2f6db5"
GREEN = "#2e8b57"
AMBER = "#d9822b"
RED = "#c23b3b"
PURPLE = "#7a4fb3"
PALETTE = [BLUE, AMBER, GREEN, RED, PURPLE, "#3aa6a6", "#8c6d46", MUTED]


def _notebook_display() -> None:
    """In a Jupyter kernel: show every returned Figure as a PNG (no pyplot, no %matplotlib
    needed) and show table cells whole (pandas cuts text at 50 characters by default, which
    would cut questions, actions and reasons short in a review)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, _figure_png)
    import pandas as pd

    pd.set_option("display.max_colwidth", None)


def _figure_png(fig: Figure) -> bytes:
    """The figure as PNG, drawn once at its own size (charts place themselves: no tight bounding box)."""
    import io

    from matplotlib import rc_context

    buf = io.BytesIO()
    with rc_context(RENDER_RC):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


_notebook_display()


DPI = 100
"""Resolution of every chart (pixels per inch): sharp on screen and in print, quick to draw."""

RENDER_RC = {"text.hinting": "no_hinting"}
"""Settings in force while a chart is drawn to PNG: unhinted text draws about a quarter faster and reads the same."""

CHAR_EM = 0.6
"""Width of an average character of the house font, in font sizes (a safe upper estimate for DejaVu Sans)."""


def text_width(texts: Iterable[object], fontsize: float = 9.0) -> float:
    """Inches the longest of ``texts`` needs at ``fontsize`` (estimated from its length: no drawing needed).

    >>> round(text_width(["abc", "abcdef"], 12), 2)
    0.6
    """
    longest = max((max(len(line) for line in str(t).split("\n")) for t in texts), default=0)
    return longest * fontsize * CHAR_EM / 72.0


def place(fig: Figure, *, left: float = 0.9, right: float = 0.3, bottom: float = 0.7, top: float = 0.5) -> None:
    """Fix the axes area by margins in inches (cheap and deterministic, unlike a layout engine).

    Example:
        >>> fig, ax = new_figure("Revenue by account", size=(8.0, 4.0))
        >>> place(fig, left=0.8); float(round(fig.subplotpars.left, 2))
        0.1
    """
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=min(left / w, 0.6), right=max(1 - right / w, 0.4), bottom=min(bottom / h, 0.6), top=max(1 - top / h, 0.4))


def new_figure(
    title: str,
    *,
    size: tuple[float, float] = (8.0, 4.5),
    subtitle: str | None = None,
    left: float = 0.9,
    right: float = 0.3,
    bottom: float = 0.7,
    top: float = 0.0,
) -> tuple[Figure, Axes]:
    """A figure with one axes in the house style: title, light grid, no top/right spines.

    The margins (inches) leave room for tick labels and axis labels; ``top`` is
    added to the room the title and the subtitle need. A long subtitle wraps.

    Example:
        >>> fig, ax = new_figure("Revenue by account")
        >>> ax.get_title(loc="left")
        'Revenue by account'
    """
    import textwrap

    fig = Figure(figsize=size, dpi=DPI)
    ax = fig.add_subplot()
    style_axes(ax)
    ax.set_title(title, loc="left", fontsize=13, color=INK, fontweight="bold")
    head = 0.5
    if subtitle:
        lines = textwrap.wrap(subtitle, max(int((size[0] - 0.2) * 72 / (9 * 0.55)), 20))
        fig.suptitle("\n".join(lines), x=0.08 / size[0], y=1 - 0.08 / size[1], ha="left", va="top", fontsize=9, color=MUTED)
        head += 0.08 + 0.17 * len(lines)
    place(fig, left=left, right=right, bottom=bottom, top=head + top)
    return fig, ax


def style_axes(ax: Axes) -> None:
    """Apply the house style to an axes made some other way.

    Example:
        >>> fig, ax = new_figure("Revenue by account")
        >>> style_axes(ax); ax.spines["top"].get_visible()
        False
    """
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=9)
