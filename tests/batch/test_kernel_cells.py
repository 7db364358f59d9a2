"""A warm kernel runs a notebook's cells in one request; the executed notebook is the one a request per cell gives."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from kamnb.batch.engine import WarmKernel

pytestmark = pytest.mark.slow

CELLS = [
    "x = 21",
    "print('before'); from IPython.display import display, HTML; display(HTML('<b>shown</b>')); print('after')",
    "import sys; print('to stderr', file=sys.stderr); print('to stdout')",
    "h = display(HTML('<i>first</i>'), display_id=True)",
    "h.update(HTML('<i>updated</i>'))",
    "from IPython.display import clear_output\nprint('gone'); clear_output(wait=True); print('kept')",
    "print('a\\rb'); x * 2",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3]);",
    "import warnings; warnings.warn('careful')",
    "",
    "raise KeyError('allowed')",
    "'after the allowed error'",
]


def _notebook(cells: list[str], tags: dict[int, list[str]] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    params = nbformat.v4.new_code_cell("account_id = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_markdown_cell("# a step")]
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = (tags or {}).get(i, [])
        nb.cells.append(cell)
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[int | None, list[dict]]]:
    """What a reader sees of each code cell: its count and outputs (SVG drawings' random ids left out)."""
    seen = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            out = dict(out)
            if "data" in out:
                out["data"] = {k: (v if k != "image/svg+xml" else "svg") for k, v in out["data"].items()}
            if "traceback" in out:
                out["traceback"] = len(out["traceback"]) > 0
            if "text" in out:  # a warning names the kernel's process
                out["text"] = re.sub(r"ipykernel_\d+", "ipykernel_N", out["text"])
            outputs.append(out)
        seen.append((cell.execution_count, outputs))
    return seen


@pytest.fixture(scope="module")
def kernels():
    warm, fresh = WarmKernel(), WarmKernel(fresh=True)
    yield warm, fresh
    warm.close()
    fresh.close()


def test_one_request_gives_the_notebook_a_request_per_cell_gives(kernels: tuple[WarmKernel, WarmKernel]) -> None:
    warm, fresh = kernels
    nb = _notebook(CELLS, tags={10: ["raises-exception"]})
    ran = []
    for kernel in (warm, fresh):  # the allowed error lets the run go on; papermill reports it at the end
        with pytest.raises(PapermillExecutionError, match="allowed"):
            kernel.execute(nb, {"account_id": "ACC-001"})
        ran.append(kernel.last_notebook)
    one, each = ran
    assert _outputs(one) == _outputs(each)
    shown = _outputs(one)
    assert [c for c, _ in shown] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, None, 12, 13]  # the injected cell is 2nd; the empty one never runs
    texts = [[o.get("text") or o.get("data", {}).get("text/html") or o.get("data", {}).get("text/plain") for o in outs] for _, outs in shown]
    assert texts[3] == ["before\n", "<b>shown</b>", "after\n"]  # printed text keeps its place around a display
    assert texts[5] == ["<i>updated</i>"] and texts[7] == ["kept\n"]
    assert texts[8] == ["a\rb\n", "42"]
    assert shown[12][1][0]["ename"] == "KeyError" and texts[13] == ["'after the allowed error'"]
    assert "careful" in texts[10][0]
    assert all(c.metadata.papermill.duration is not None for c in one.cells if c.cell_type == "code" and c.source.strip())


def test_an_error_stops_the_run_where_a_request_per_cell_stops_it(kernels: tuple[WarmKernel, WarmKernel]) -> None:
    warm, fresh = kernels
    nb = _notebook(["print('ran')", "1 / 0", "print('never')"])
    caught = []
    for kernel in (warm, fresh):
        with pytest.raises(PapermillExecutionError) as err:
            kernel.execute(nb, {"account_id": "A"})
        caught.append((err.value.ename, err.value.exec_count, _outputs(kernel.last_notebook)))
    assert caught[0] == caught[1]
    assert caught[0][0] == "ZeroDivisionError" and caught[0][2][-1] == (None, [])  # the cell after it never ran


def test_top_level_await_runs_a_request_per_cell(kernels: tuple[WarmKernel, WarmKernel], tmp_path: Path) -> None:
    warm, _ = kernels
    nb = warm.execute(_notebook(["import asyncio\nawait asyncio.sleep(0)\nprint('awaited')", "print('next')"]), {"account_id": "A"})
    assert [o.get("text") for c in nb.cells if c.cell_type == "code" for o in c.outputs] == ["awaited\n", "next\n"]


def test_warm_kernels_skip_the_idle_waits_and_fresh_kernels_do_not(kernels: tuple[WarmKernel, WarmKernel]) -> None:
    warm, fresh = kernels
    probe = _notebook(["from ipykernel.iostream import OutStream\n"
                       "print(getattr(OutStream.flush, '_kamnb_when_written', False), get_ipython().kernel._execute_sleep)"])
    texts = ["".join(o.get("text", "") for c in k.execute(probe, {"account_id": "A"}).cells if c.cell_type == "code" for o in c.outputs)
             for k in (warm, fresh)]
    assert texts == ["True 0.0\n", "False 0.0005\n"]


def test_each_cell_keeps_its_own_time(kernels: tuple[WarmKernel, WarmKernel]) -> None:
    """The first cell does not carry the whole run's time: papermill's times come from the kernel's clock."""
    warm, _ = kernels
    nb = warm.execute(_notebook(["x = 1", "import time; time.sleep(0.3)", "y = 2"]), {"account_id": "A"})
    durations = [c.metadata.papermill.duration for c in nb.cells if c.cell_type == "code"][2:]
    assert durations[0] < 0.1 and durations[1] >= 0.3 and durations[2] < 0.1
