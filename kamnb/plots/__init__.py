"""Charts for the reviews. One module per step of the method; this file holds the shared look.

Every chart function returns a :class:`matplotlib.figure.Figure` and never
calls ``plt.show()``: a notebook displays the figure it gets (as SVG, with
its title as the text version), the batch embeds that SVG in the HTML review,
a test or an analyst can save it to PNG with ``fig.savefig("chart.png")``.
Text sizes are measured once per process, not once per chart, once the IPython extension
(``%load_ext kamnb.plots``) is loaded (:mod:`kamnb.plots.text_sizes`).

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

from kamnb.plots.text_sizes import remember_text_sizes

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


def load_ipython_extension(shell: object) -> None:
    """``%load_ext kamnb.plots``: kamnb's chart display and text-size store in an IPython shell.

    Importing :mod:`kamnb.plots` changes nothing outside kamnb; this extension does, explicitly:
    every returned Figure shows as SVG with its title as text, table cells show whole
    (:func:`_notebook_display`), and text sizes are measured once per process
    (:func:`kamnb.plots.text_sizes.remember_text_sizes`). Review kernels load it at start
    (``kamnb.batch.engine.KERNEL_ARGUMENTS``); the shipped notebooks call :func:`setup_notebook`.
    """
    setup_notebook(shell)


def setup_notebook(shell: object = None) -> None:
    """Show charts as SVG with their titles as text, table cells whole, and measure text once (idempotent).

    The shipped notebooks call it in their first cell, so they look the same in JupyterLab, under
    nbval and in a review kernel (which has loaded the extension already).
    """
    _notebook_display(shell)
    remember_text_sizes()


def _notebook_display(shell: object = None) -> None:
    """In a Jupyter kernel: show every returned Figure as SVG with its title as text (no pyplot,
    no %matplotlib needed) and show table cells whole (pandas cuts text at 50 characters by
    default, which would cut questions, actions and reasons short in a review)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # plain Python: nothing to register
            return
        shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters  # type: ignore[attr-defined]
    formatters["image/svg+xml"].for_type(Figure, figure_svg)
    formatters["image/png"].for_type(Figure, lambda fig: None)  # one picture per chart, not two
    formatters["text/plain"].for_type(Figure, lambda fig, p, cycle: p.text(figure_caption(fig)))
    import pandas as pd

    pd.set_option("display.max_colwidth", None)


DPI = 100
"""Pixels per inch of a chart saved as PNG (``fig.savefig("chart.png")``): sharp on screen, quick to draw."""

SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "kamnb"}
"""How charts are written as SVG: text stays text (sharp at any zoom, selectable, printable) and
the ids inside are derived from a fixed salt, so the same chart gives the same bytes."""


def figure_svg(fig: Figure) -> str:
    """The figure as a self-contained SVG document, drawn once at its own size.

    Vector output is about twice as quick to write as a PNG, a third of the size, and prints
    sharp. No date or software version is written into it: the same chart gives the same text.

    Example:
        >>> fig, ax = new_figure("Revenue by account")
        >>> svg = figure_svg(fig)
        >>> svg.count("<svg"), "Revenue by account" in svg, svg == figure_svg(fig)
        (1, True, True)
    """
    import io

    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context(SVG_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def figure_caption(fig: Figure) -> str:
    """A one-line description of a chart (its title and subtitle): the text a notebook shows
    instead of ``<Figure size 800x450 with 1 Axes>`` and the review's alternative text.

    Example:
        >>> fig, ax = new_figure("Revenue by account", subtitle="Last 12 months")
        >>> figure_caption(fig)
        'Chart: Revenue by account. Last 12 months'
    """
    parts: list[str] = []
    for ax in fig.axes:
        for loc in ("left", "center"):
            title = ax.get_title(loc=loc).strip()
            if title and title not in parts:
                parts.append(title)
        if parts:
            break
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(" ".join(suptitle.get_text().split()))
    return "Chart: " + ". ".join(" ".join(p.split()) for p in parts) if parts else "Chart"



TITLE_Y = 1.0
"""Where an axes title sits (axes height = 1). Given explicitly, matplotlib skips searching the
axes' tick labels for something the title would overlap at every drawing (none of our charts has
labels above the axes); that search was a tenth of the drawing time."""

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
    """A figure with one axes in the house style: title, light grid, no top/right spines, no tick marks.

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
    ax.set_title(title, loc="left", fontsize=13, color=INK, fontweight="bold", y=TITLE_Y)
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
    ax.tick_params(colors=INK, labelsize=9, bottom=False, left=False)  # labels, no tick marks: the grid does their job
