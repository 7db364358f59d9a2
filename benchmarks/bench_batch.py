"""Benchmark: ``kamnb batch`` against the naive way, and its memory as the portfolio grows.

Naive = a pool of 2 processes; for each account every step notebook runs with
a fresh ``papermill.execute_notebook`` (a new kernel each time) and the page
is rendered by a freshly made exporter. kamnb = ``run_batch`` with 2 workers
(warm kernels, one exporter per worker), including its start-up and the
portfolio index. Both run in the same process on the same accounts and must
write identical review pages (same generation time, set through
``SOURCE_DATE_EPOCH``).

1. small notebooks (tests/notebooks: review, isolation, tiny) on 40 accounts:
   the cost of the machinery itself;
2. the real step notebooks (batch: notebooks: in settings) on 40 accounts of a
   synthetic 60-account workbook made of two renamed copies of data/sample,
   with a third half, the floor (:mod:`benchmarks.floor`): the same notebooks'
   code in 2 plain processes without Jupyter, each page made as the batch
   makes it, so its pages are compared byte for byte too. Every half runs the
   portfolio notebook once; kamnb and the floor run three times, side by
   side (the machine's speed drifts). Targets: at least 8x the naive pool, at
   least 80 % of the floor's speed;
3. peak memory (resident set of the run's processes: main, workers, kernels)
   for 100 and 1,000 accounts with the tiny notebook (the real notebooks
   would take an hour for 1,000 accounts on 2 cores).

    .venv/bin/python -m benchmarks batch            # everything (about 17 minutes on 2 cores)
    .venv/bin/python -m benchmarks.bench_batch --quick   # 1 and 3 only
    .venv/bin/python -m benchmarks.bench_batch --only steps --accounts 16   # a quicker look at 2
"""
from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import psutil

from kamnb.batch.config import BatchConfig, Task, batch_settings, resolve_notebooks, safe_names
from kamnb.batch.run import RunOptions, run_batch
from kamnb.batch.runner import page_texts
from kamnb.workbook import load_workbook
from kamnb.workbook.schema import SHEETS

ROOT = Path(__file__).resolve().parents[1]
TEST_NOTEBOOKS = ROOT / "tests" / "notebooks"
ACCOUNTS = 40
PAIRS = 3
"""How many times the kamnb and floor halves run side by side on the step notebooks."""
EPOCH = "1793491200"


def copy_workbook(source: Path, target: Path, copies: int) -> Path:
    """A workbook of ``copies`` renamed copies of ``source`` (every id and reference prefixed ``C<n>-``)."""
    target.mkdir(parents=True)
    for file in source.iterdir():
        if file.suffix != ".csv":
            shutil.copy(file, target / file.name)
            continue
        sheet = SHEETS.get(file.stem)
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        parts = []
        for n in range(copies):
            part = frame.copy()
            for col in sheet.columns if sheet else ():
                if col.name in part and (col.kind == "id" or (col.kind == "ref" and col.ref_sheet not in ("questions", "indicators"))):
                    part[col.name] = part[col.name].map(lambda v, n=n: f"C{n}-{v}" if v else v)
                elif col.name in part and col.kind == "refs":
                    part[col.name] = part[col.name].map(lambda v, n=n: "; ".join(f"C{n}-{x.strip()}" for x in v.split(";") if x.strip()))
            parts.append(part)
        pd.concat(parts).to_csv(target / file.name, index=False)
    return target


def tiny_workbook(target: Path, accounts: int) -> Path:
    """A workbook of ``accounts`` accounts and nothing else (for the memory runs)."""
    target.mkdir(parents=True)
    rows = [{"account_id": f"ACC-{i:05d}", "name": f"Account {i}", "revenue_12m": 1000 + i, "revenue_prev_12m": 900 + i} for i in range(accounts)]
    pd.DataFrame(rows).to_csv(target / "accounts.csv", index=False)
    (target / "stakeholders.csv").write_text("stakeholder_id,account_id,name,influence,support\n")
    (target / "opportunities.csv").write_text("opportunity_id,account_id,name,kind,value\n")
    (target / "settings.yaml").write_text("as_of: 2026-11-01\n")
    return target


def _naive_account(config: BatchConfig, task: Task) -> float:
    """One account the naive way: a fresh kernel per notebook, a fresh exporter per page."""
    import papermill

    from kamnb.batch.engine import KERNEL_ARGUMENTS
    from kamnb.batch.report import ReviewExporter, stitch
    from kamnb.common.files import write_atomic

    started = time.perf_counter()
    steps = []
    for path in config.notebooks:
        nb = papermill.execute_notebook(
            path, None, parameters={"workbook": config.workbook, "account_id": task.account_id}, kernel_name="python3",
            progress_bar=False, cwd=str(Path(path).parent), extra_arguments=list(KERNEL_ARGUMENTS),
        )
        steps.append((Path(path).name, nb))
    page = ReviewExporter().export(stitch(steps, account_id=task.account_id, account_name=task.name), **page_texts(config, task))
    write_atomic(Path(config.out) / "accounts" / f"{task.file}.html", page)
    return time.perf_counter() - started


def _naive_portfolio(config: BatchConfig, notebook: str, accounts: int) -> float:
    """The portfolio review the naive way: papermill with a fresh kernel, a fresh exporter."""
    import papermill

    from kamnb.batch.report import ReviewExporter
    from kamnb.common.files import write_atomic
    from kamnb.review.portfolio import page_texts as portfolio_texts

    started = time.perf_counter()
    nb = papermill.execute_notebook(notebook, None, parameters={"workbook": config.workbook, "reviews": "accounts"}, kernel_name="python3",
                                    progress_bar=False, cwd=str(Path(notebook).parent))
    page = ReviewExporter().export(nb, **portfolio_texts(config.as_of, Path(config.workbook).name, config.generated, accounts))
    write_atomic(Path(config.out) / "portfolio.html", page)
    return time.perf_counter() - started


def portfolio_notebook(workbook: Path, notebooks: list[Path]) -> str:
    """The portfolio notebook the batch runs once for this workbook ('' when the settings switch it off)."""
    name = batch_settings(load_workbook(workbook).settings)["portfolio_notebook"]
    return str(notebooks[0].parent / name) if name and (notebooks[0].parent / name).exists() else ""


def naive(workbook: Path, notebooks: list[Path], ids: list[str], out: Path) -> float:
    wb = load_workbook(workbook)
    (out / "accounts").mkdir(parents=True)
    config = BatchConfig(workbook=str(workbook), out=str(out), notebooks=tuple(str(p) for p in notebooks),
                         generated=_generated(), as_of="2026-11-01")
    names = safe_names(ids)
    tasks = [Task(a, str(wb.accounts.loc[a, "name"]), names[a]) for a in ids]
    started = time.perf_counter()
    portfolio = portfolio_notebook(workbook, notebooks)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = [pool.submit(_naive_portfolio, config, portfolio, len(tasks))] if portfolio else []
        jobs += [pool.submit(_naive_account, config, task) for task in tasks]
        for job in jobs:
            job.result()
    return time.perf_counter() - started


def _generated() -> str:
    from kamnb.batch.config import generated_stamp

    return generated_stamp()


class PeakMemory:
    """Samples the resident memory of this process and all its descendants every 0.1 s."""

    def __init__(self) -> None:
        self.peak = 0
        self.peak_children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            children = 0
            for child in me.children(recursive=True):
                try:
                    children += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_children = max(self.peak_children, children)
            self.peak = max(self.peak, children + me.memory_info().rss)
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def fast(workbook: Path, notebooks: list[Path], ids: list[str], out: Path, *, measure_memory: bool = False) -> tuple[float, int, PeakMemory | None]:
    """``run_batch`` with 2 workers; its wall time, exit code and (when asked) peak memory.

    Memory is sampled only when asked: the sampler walks the process table ten
    times a second, which costs the timed run CPU the naive run does not pay.
    """
    opts = RunOptions(workbook=workbook, out=out, accounts=ids, workers=2, quiet=True,
                      notebooks=[p.name for p in notebooks], notebook_dir=str(notebooks[0].parent))
    memory = PeakMemory() if measure_memory else None
    with memory or contextlib.nullcontext():
        started = time.perf_counter()
        code = run_batch(opts, stream=io.StringIO())
        seconds = time.perf_counter() - started
    return seconds, code, memory


def _strip(page: bytes) -> bytes:
    return re.sub(rb'<span class="generated">.*?</span>', b"", page)


def code_digest(notebooks: list[Path]) -> str:
    """A digest of the notebooks and kamnb's source: if it changes during a run, the two halves ran different code."""
    digest = hashlib.sha256()
    for path in sorted([*notebooks, *(ROOT / "kamnb").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def floor_half(workbook: Path, notebooks: list[Path], ids: list[str], out: Path) -> float:
    """The floor (:mod:`benchmarks.floor`): the notebooks' code in 2 plain processes, pages made as the batch makes them."""
    from benchmarks.floor import floor

    wb = load_workbook(workbook)
    config = BatchConfig(workbook=str(workbook), out=str(out), notebooks=tuple(str(p) for p in notebooks),
                         generated=_generated(), as_of="2026-11-01")
    names = safe_names(ids)
    return floor(config, [Task(a, str(wb.accounts.loc[a, "name"]), names[a]) for a in ids], portfolio_notebook(workbook, notebooks))


def _differ(ids: list[str], tmp: Path, side: str) -> list[str]:
    names = safe_names(ids)
    return [a for a in ids if _strip((tmp / "fast" / "accounts" / f"{names[a]}.html").read_bytes())
            != _strip((tmp / side / "accounts" / f"{names[a]}.html").read_bytes())]


def _show_diff(ids: list[str], tmp: Path, side: str, account: str) -> None:
    names = safe_names(ids)
    first = [_strip((tmp / s / "accounts" / f"{names[account]}.html").read_bytes()).decode().splitlines() for s in ("fast", side)]
    diff = list(difflib.unified_diff(first[0], first[1], "kamnb", side, n=0, lineterm=""))[:12]
    print(f"  first review that differs from {side}: {account}\n    " + "\n    ".join(line[:160] for line in diff))


def compare(title: str, workbook: Path, notebooks: list[Path], ids: list[str], tmp: Path, *, with_floor: bool = False,
            pairs: int = PAIRS) -> None:
    """The halves on the same accounts, pages compared byte for byte.

    With the floor, the kamnb and floor halves run ``pairs`` times, side by
    side, the first pair before the naive half and the others after it
    (kamnb, floor, naive, kamnb, floor, ...): this machine's speed drifts by
    10-30 % from one minute to the next, so each ratio is taken between halves
    run side by side; every pair's share is shown, with their mean and median.
    """
    from statistics import median

    print(f"\n{title}: {len(ids)} accounts, {len(notebooks)} notebook(s) each, 2 processes on {os.cpu_count()} cores")
    before = code_digest(notebooks)
    fasts, floors = [fast(workbook, notebooks, ids, tmp / "fast")[:2]], []
    if with_floor:
        floors.append(floor_half(workbook, notebooks, ids, tmp / "floor"))
    naive_s = naive(workbook, notebooks, ids, tmp / "naive")
    for _ in range(pairs - 1 if with_floor else 0):
        fasts.append(fast(workbook, notebooks, ids, tmp / "fast")[:2])
        floors.append(floor_half(workbook, notebooks, ids, tmp / "floor"))
    changed = code_digest(notebooks) != before
    sides = ["naive"] + (["floor"] if with_floor else [])
    differ = {side: _differ(ids, tmp, side) for side in sides}
    for side, accounts in differ.items():
        if accounts:
            _show_diff(ids, tmp, side, accounts[0])
    if changed:
        print("  NOTE: kamnb's source or the notebooks changed during this run, so the halves ran different code")
    fast_s = sum(f for f, _ in fasts) / len(fasts)
    print(f"  naive (fresh papermill kernel per notebook, fresh exporter): {naive_s:7.1f} s  {len(ids) / naive_s:5.2f} accounts/s")
    for n, (seconds, code) in enumerate(fasts, 1):
        print(f"  kamnb batch (warm kernels, one exporter per worker, index):  {seconds:7.1f} s  {len(ids) / seconds:5.2f} accounts/s  (exit {code}, run {n})")
    for n, seconds in enumerate(floors, 1):
        print(f"  floor (the notebooks' code in 2 plain processes, no Jupyter): {seconds:6.1f} s  {len(ids) / seconds:5.2f} accounts/s  (run {n})")
    print(f"  speed-up: {naive_s / fast_s:.1f}x the naive pool (kamnb's runs averaged; target >= 8x on the step notebooks)")
    if floors:
        shares = [fl / f * 100 for fl, (f, _) in zip(floors, fasts, strict=True)]
        print(f"  share of the floor's speed, each pair run side by side: {', '.join(f'{x:.0f} %' for x in shares)}"
              f"; mean {sum(shares) / len(shares):.0f} %, median {median(shares):.0f} % (target >= 80 %)")
    print("  identical review pages: " + ", ".join(f"{len(ids) - len(differ[side])}/{len(ids)} with {side}" for side in sides))
    assert not any(differ.values()) or changed, "the halves wrote different reviews"


def memory(tmp: Path) -> None:
    print("\npeak memory (resident, main + workers + kernels), tiny notebook, 2 workers")
    peaks = {}
    for n in (100, 1000):
        workbook = tiny_workbook(tmp / f"mem{n}", n)
        ids = [f"ACC-{i:05d}" for i in range(n)]
        seconds, code, mem = fast(workbook, [TEST_NOTEBOOKS / "tiny.ipynb"], ids, tmp / f"mem{n}-out", measure_memory=True)
        assert mem is not None
        peaks[n] = mem.peak
        print(f"  {n:5d} accounts: {seconds:6.1f} s ({n / seconds:5.1f}/s), peak {mem.peak / 2**20:6.0f} MB "
              f"(workers and kernels {mem.peak_children / 2**20:.0f} MB), exit {code}")
    growth = peaks[1000] / peaks[100]
    print(f"  1,000 vs 100 accounts: {growth:.2f}x the memory")
    assert growth < 1.15, "peak memory grows with the number of accounts"


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small notebooks and memory only")
    parser.add_argument("--only", choices=("small", "steps", "memory"), help="run one part")
    parser.add_argument("--pairs", type=int, default=PAIRS, help=f"kamnb and floor halves run side by side on the step notebooks (default {PAIRS})")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help=f"accounts in parts 1 and 2 (default {ACCOUNTS}; the target is stated for 40 or more)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    parts = {args.only} if args.only else ({"small", "memory"} if args.quick else {"small", "steps", "memory"})
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    with tempfile.TemporaryDirectory(prefix="kamnb-bench-batch-") as name:
        tmp = Path(name)
        if "small" in parts:
            small = copy_workbook(TEST_NOTEBOOKS / "workbook", tmp / "small", 7)
            ids = list(load_workbook(small).accounts.index[:args.accounts])
            compare("small notebooks", small, [TEST_NOTEBOOKS / n for n in ("review.ipynb", "isolation.ipynb", "tiny.ipynb")], ids, tmp / "a")
        if "steps" in parts:
            sample = copy_workbook(ROOT / "data" / "sample", tmp / "sample", 2)
            wb = load_workbook(sample)
            settings = batch_settings(wb.settings)
            notebooks = resolve_notebooks(settings["notebooks"], ROOT / settings["notebook_dir"], sample)
            compare("step notebooks", sample, notebooks, list(wb.accounts.index[:args.accounts]), tmp / "b", with_floor=True,
                    pairs=max(1, args.pairs))
        if "memory" in parts:
            memory(tmp)


if __name__ == "__main__":
    main()
