"""The wheel holds what kamnb needs at run time, and CI installs it into a fresh environment (scripts/check-wheel)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ci_builds_installs_and_uses_the_wheel() -> None:
    assert "make wheel" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "wheel: $(STAMP)\n\tbash scripts/check-wheel $(BIN)/python" in makefile
    script = (ROOT / "scripts" / "check-wheel").read_text()
    for step in ("-m venv", "pip install", 'cd "$work/elsewhere"', "batch sample --out reviews --accounts ACC-001", "workshop sample",
                 "import-crm", "export sample", "validate sample", "unset PYTHONPATH"):
        assert step in script, step


@pytest.mark.slow
def test_the_wheel_carries_notebooks_defaults_and_templates(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("kamnb-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = sorted(p.name for p in (ROOT / "kamnb" / "notebooks").glob("*.ipynb"))
    assert notebooks and {f"kamnb/notebooks/{n}" for n in notebooks} <= names
    for part in ("kamnb/defaults/settings.yaml", "kamnb/defaults/questions.yaml", "kamnb/templates/review/index.html.j2",
                 "kamnb/templates/review/print.css", "kamnb/templates/portfolio/portfolio.html.j2"):
        assert part in names, part
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "kamnb = kamnb.cli:main" in entry
    assert not [n for n in names if n.startswith(("tests/", "data/", "benchmarks/"))]
