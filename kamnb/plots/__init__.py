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


def _show_figures_in_notebooks() -> None:
    """In a Jupyter kernel, display every returned Figure as a PNG (no pyplot, no %matplotlib needed)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, _figure_png)


def _figure_png(fig: Figure) -> bytes:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


_show_figures_in_notebooks()


def new_figure(title: str, *, size: tuple[float, float] = (8.0, 4.5), subtitle: str | None = None) -> tuple[Figure, Axes]:
    """A figure with one axes in the house style: title, light grid, no top/right spines."""
    fig = Figure(figsize=size, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    ax.set_title(title, loc="left", fontsize=13, color=INK, fontweight="bold")
    if subtitle:
        fig.suptitle(subtitle, x=0.01, ha="left", fontsize=9, color=MUTED)
    return fig, ax


def style_axes(ax: Axes) -> None:
    """Apply the house style to an axes made some other way."""
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=9)
