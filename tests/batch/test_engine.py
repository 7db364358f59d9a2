"""The warm kernel and the papermill engine: real kernels, real papermill, real failures."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from kamnb.batch.engine import ENGINE_NAME, WarmKernel

pytestmark = pytest.mark.slow
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _texts(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def kernel():
    k = WarmKernel(preload=["kamnb.common.formatting"], cwd=NOTEBOOKS)
    k.start()
    yield k
    k.close()


@pytest.fixture()
def workbook(tmp_path: Path) -> str:
    shutil.copytree(NOTEBOOKS / "workbook", tmp_path / "wb")
    return str(tmp_path / "wb")


def test_nothing_one_notebook_defines_is_visible_to_the_next(kernel: WarmKernel, workbook: str) -> None:
    first = kernel.execute(NOTEBOOKS / "isolation.ipynb", {"workbook": workbook, "account_id": "ACC-001"})
    second = kernel.execute(NOTEBOOKS / "isolation.ipynb", {"workbook": workbook, "account_id": "ACC-002"})
    clean = (
        "names left by an earlier notebook: []\nhelper module already loaded: False\n"
        "environment variable left: None\nline width: 1.5 max rows: 60\n"
    )
    assert _texts(first) == _texts(second) == clean
    assert kernel.prepare() == ""  # a plain reset, no new kernel


def test_parameters_injected_and_counts_start_at_one(kernel: WarmKernel, workbook: str) -> None:
    for account in ("ACC-001", '"; import os #'):
        nb = kernel.execute(NOTEBOOKS / "tiny.ipynb", {"workbook": workbook, "account_id": account})
        assert _texts(nb) == f"account {account}\n"
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]
        assert "injected-parameters" in nb.cells[1].metadata["tags"]


def test_a_raising_cell_gives_papermills_banner_and_a_fresh_kernel(kernel: WarmKernel, workbook: str) -> None:
    starts = kernel.starts
    with pytest.raises(PapermillExecutionError) as err:
        kernel.execute(NOTEBOOKS / "trap.ipynb", {"workbook": workbook, "account_id": "ACC-raise"})
    assert err.value.ename == "ValueError" and "cannot be reviewed: ACC-raise" in err.value.evalue
    banner = kernel.last_notebook.cells[0]
    assert "papermill-error-cell-tag" in banner.metadata["tags"] and "An Exception was encountered" in banner.source
    nb = kernel.execute(NOTEBOOKS / "tiny.ipynb", {"workbook": workbook, "account_id": "ACC-001"})
    assert _texts(nb) == "account ACC-001\n"
    assert kernel.starts == starts + 1


def test_a_hanging_cell_times_out(kernel: WarmKernel, workbook: str) -> None:
    with pytest.raises(CellTimeoutError):
        kernel.execute(NOTEBOOKS / "trap.ipynb", {"workbook": workbook, "account_id": "ACC-hang"}, timeout=2)
    assert _texts(kernel.execute(NOTEBOOKS / "tiny.ipynb", {"workbook": workbook, "account_id": "A"})) == "account A\n"


def test_a_dying_kernel_is_reported_and_replaced(kernel: WarmKernel, workbook: str) -> None:
    with pytest.raises(DeadKernelError):
        kernel.execute(NOTEBOOKS / "trap.ipynb", {"workbook": workbook, "account_id": "ACC-die-always"})
    assert _texts(kernel.execute(NOTEBOOKS / "tiny.ipynb", {"workbook": workbook, "account_id": "B"})) == "account B\n"


def test_a_patched_kamnb_module_means_a_fresh_kernel(kernel: WarmKernel) -> None:
    patch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import kamnb.common.formatting\nkamnb.common.formatting.money = lambda *a, **k: 'patched'\nprint(kamnb.common.formatting.money(5))")])
    check = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import kamnb.common.formatting\nprint(kamnb.common.formatting.money(5))")])
    assert _texts(kernel.execute(patch, {})) == "patched\n"
    assert "kamnb.common.formatting was changed" in kernel.prepare()
    assert _texts(kernel.execute(check, {})) == "€5\n"


def test_a_warning_from_kamnb_code_shows_in_every_notebook_and_keeps_the_kernel(kernel: WarmKernel, workbook: str) -> None:
    """Python notes shown warnings in the module's globals; that is not state a notebook left behind."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("workbook = ''\naccount_id = ''", metadata={"tags": ["parameters"]}),
        # a warning raised from inside a kamnb module, as a chart function would
        nbformat.v4.new_code_cell("import kamnb.common.formatting\nexec(\"import warnings\\nwarnings.warn('legend without labels')\", vars(kamnb.common.formatting))"),
    ]
    kernel.prepare()
    starts = kernel.starts
    runs = [kernel.execute(nb, {"workbook": workbook, "account_id": a}) for a in ("ACC-001", "ACC-002")]
    assert kernel.prepare() == ""
    assert kernel.starts == starts  # no fresh kernel for a warning
    for run in runs:  # shown each time, as in a fresh kernel
        assert "UserWarning: legend without labels" in _texts(run)


def test_engine_is_registered_with_papermill_and_works_without_a_warm_kernel(workbook: str) -> None:
    nb = papermill.execute_notebook(
        str(NOTEBOOKS / "tiny.ipynb"), None, parameters={"account_id": "C"}, engine_name=ENGINE_NAME, progress_bar=False, kernel_name="python3")
    assert _texts(nb) == "account C\n"
