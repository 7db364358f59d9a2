"""Benchmarks of kamnb: ``python -m benchmarks`` runs every ``bench_*.py`` module's ``main()``.

Each benchmark measures the naive approach in the same run and prints the
ratio, so the figures compare like with like on whatever machine runs them.
"""
