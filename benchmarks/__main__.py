"""Run every ``benchmarks/bench_*.py`` module's ``main()`` in turn (``python -m benchmarks [NAME ...]``).

Names given on the command line select benchmarks (``python -m benchmarks batch``);
options (``--quick``) are passed on to the benchmarks that take them. A
benchmark that fails is reported and the others still run; the exit code is 1
when any failed.
"""
from __future__ import annotations

import importlib
import inspect
import sys
import time
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    wanted = [a.removeprefix("bench_") for a in argv if not a.startswith("-")]
    if wanted:
        names = [n for n in names if n.removeprefix("bench_") in wanted]
    options = [a for a in argv if a.startswith("-")]
    failed = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            run = importlib.import_module(f"benchmarks.{name}").main
            run(options) if "argv" in inspect.signature(run).parameters else run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
