"""The shipped notebooks are stored the reviewable way and stay thin.

Policy (docs/notebooks.md): notebooks in notebooks/ are committed without
outputs or execution counts, so a change to a notebook shows as a small diff of
its cells. Their key outputs are checked by nbval on executed references in
tests/nbval/, written by scripts/refresh-nbval; the references must carry the
same cells as the notebooks they stand for.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STEPS = [nb for nb in NOTEBOOKS if re.match(r"\d\d_", nb.name)]
REVIEWED = STEPS + [ROOT / "notebooks" / "portfolio.ipynb"]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_there_are_step_notebooks():
    assert len(STEPS) >= 4, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = _read(path)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear outputs before committing (docs/notebooks.md)"
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_thin_and_parameterised(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), f"{path.name}: the first code cell must be tagged 'parameters'"
    assert re.search(r"^workbook\s*=", code[0].source, re.M), f"{path.name}: no workbook parameter"
    defs = [c.source.splitlines()[0] for c in code if re.search(r"^\s*(def|class)\s", c.source, re.M)]
    assert not defs, f"{path.name}: function or class definitions belong in kamnb/, found {defs}"
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# "), f"{path.name}: the first Markdown cell must be a level-1 heading"


@pytest.mark.parametrize("path", REVIEWED, ids=lambda p: p.name)
def test_nbval_reference_matches_the_notebook(path):
    ref_path = ROOT / "tests" / "nbval" / path.name
    assert ref_path.exists(), f"no nbval reference for {path.name}: run scripts/refresh-nbval {path.name}"
    nb, ref = _read(path), _read(ref_path)

    def cells(book):
        return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in book.cells
                if "parameters" not in c.metadata.get("tags", [])]

    assert cells(nb) == cells(ref), f"tests/nbval/{path.name} is stale: run scripts/refresh-nbval {path.name}"
    checked = [c for c in ref.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert checked, f"{path.name}: tag the cells with key tables or figures 'nbval-check-output'"
    assert all(c.outputs for c in checked), f"tests/nbval/{path.name}: a checked cell has no stored output"
