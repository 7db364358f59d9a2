"""Benchmark: the step notebooks' compute per account in one warm process, as the batch runs them.

One IPython shell runs every code cell of the four step notebooks for a first
account, then for further accounts, the way the batch's warm kernel does
(libraries imported once, the inline backend registered at start-up, every
returned value formatted once, figures drawn to PNG). It prints wall time and
CPU time per notebook and account, and the ratio of a warm account against the
cold first one measured in the same run.

Target on an idle 2-core machine: each notebook under about 0.6 s for a warm
account (all four under about 2 s). On a loaded machine the CPU time column is
the steadier figure.

    .venv/bin/python -m benchmarks.bench_notebooks
"""
from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("01_classification", "02_qualification", "03_relationships", "04_value_and_plan")
ACCOUNTS = ("ACC-001", "ACC-002", "ACC-008")
WARM_AGAIN = ("ACC-002", "ACC-008")
"""Warm accounts are run twice and the best time kept: a busy machine adds noise, never saves time."""


def _shell():
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_line_magic("matplotlib", "inline")  # as the review kernel starts (--matplotlib=inline)
    shell.display_formatter.formatters["image/png"].enabled = True
    return shell


def run_notebook(shell, path: Path, workbook: str, account_id: str) -> tuple[float, float]:
    """Wall and CPU seconds to run one notebook's code cells (parameters replaced) and format their results."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    wall, cpu = time.perf_counter(), time.process_time()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if "parameters" in cell.metadata.get("tags", []):
            source = f"workbook = {workbook!r}\naccount_id = {account_id!r}"
        result = shell.run_cell(source, store_history=False, silent=False)
        if result.error_in_exec is not None:
            raise RuntimeError(f"{path.name}: {result.error_in_exec!r}")
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    workbook = str(ROOT / "data" / "sample")
    shell = _shell()
    import kamnb.classification.score  # noqa: F401  the batch preloads what the notebooks import
    import kamnb.plots  # noqa: F401
    import kamnb.qualification.score  # noqa: F401
    import kamnb.relationships.grid  # noqa: F401
    import kamnb.value.ratio  # noqa: F401

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.2f} (wall time scales with load; CPU time is steadier)")
    cold: dict[str, tuple[float, float]] = {}
    warm: dict[str, list[tuple[float, float]]] = {name: [] for name in NOTEBOOKS}
    for round_, account in enumerate(ACCOUNTS + WARM_AGAIN):
        for name in NOTEBOOKS:
            wall, cpu = run_notebook(shell, ROOT / "notebooks" / f"{name}.ipynb", workbook, account)
            if round_ == 0:
                cold[name] = (wall, cpu)
            else:
                warm[name].append((wall, cpu))
    print(f"{'notebook':20s} {'cold first account':>26s} {'warm account (best of ' + str(len(ACCOUNTS) + len(WARM_AGAIN) - 1) + ')':>30s}  ratio (CPU)")
    total_cold = total_warm = total_warm_wall = 0.0
    for name in NOTEBOOKS:
        w_wall = min(w for w, _ in warm[name])
        w_cpu = min(c for _, c in warm[name])
        total_cold += cold[name][1]
        total_warm += w_cpu
        total_warm_wall += w_wall
        print(f"{name:20s} wall {cold[name][0]:5.2f} s cpu {cold[name][1]:5.2f} s   wall {w_wall:5.2f} s cpu {w_cpu:5.2f} s       {cold[name][1] / max(w_cpu, 1e-9):4.1f}x")
    print(f"{'all four':20s} cpu {total_cold:5.2f} s (cold)   warm: wall {total_warm_wall:5.2f} s cpu {total_warm:5.2f} s   "
          f"{total_cold / max(total_warm, 1e-9):4.1f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
