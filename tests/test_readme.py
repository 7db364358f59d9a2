"""The README's quick examples run as written, from a fresh copy of the repository; make uses an active conda environment."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = "<!-- readme-test:"


def quick_examples(text: str) -> list[str]:
    """The command lines of the fenced block that follows the README's test marker."""
    after = text[text.index(MARKER):]
    block = re.search(r"```bash\n(.*?)```", after, re.S)
    assert block, "the README's test marker is not followed by a bash block"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def _fresh_copy(target: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked, plus new files git does not ignore)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                                capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the fresh-copy test needs git ls-files")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
        elif source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).symlink_to(os.readlink(source))
    return target


def test_the_readme_names_its_quick_examples() -> None:
    lines = quick_examples(README.read_text(encoding="utf-8"))
    assert lines[0] == "kamnb validate data/sample"
    assert any(line.startswith("kamnb import-crm data/crm-example") for line in lines)
    for line in lines:  # nothing outside the repository, nothing that needs a network
        assert "../" not in line and "http" not in line


def test_the_crm_example_is_the_script_output(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_crm_example.py"), str(tmp_path)], check=True)
    for name in ("accounts.csv", "products.csv", "sales_pipeline.csv", "sales_teams.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "crm-example" / name).read_bytes(), f"run scripts/make_crm_example.py: {name}"


@pytest.mark.slow
def test_quick_examples_run_from_a_fresh_copy(tmp_path: Path) -> None:
    repo = _fresh_copy(tmp_path / "kamnb")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # as after `source .venv/bin/activate`
    env["PYTHONPATH"] = str(repo)  # the copy's code, not this checkout's
    for line in quick_examples(README.read_text(encoding="utf-8")):
        done = subprocess.run(line, shell=True, cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, f"README example failed: {line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert (repo / "reports" / "quick" / "accounts" / "ACC-001.html").is_file()
    assert (repo / "workbooks" / "crm-example" / "accounts.csv").is_file()
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=ROOT, capture_output=True, text=True, check=False)
    ignored = subprocess.run(["git", "check-ignore", "workbooks/x", "reports/quick/index.html", "data/sample-export-20260101/a.csv"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
    assert status.returncode == 0 and len(ignored.stdout.split()) == 3  # what the examples write is not for git


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_uses_an_active_conda_environment(tmp_path: Path) -> None:
    def dry(**env: str) -> str:
        # -B: the set-up steps show even where .venv is already installed (as after `make test`)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("CONDA")}
        return subprocess.run(["make", "-n", "-B", "demo"], cwd=ROOT, env=clean | env, capture_output=True, text=True, check=True).stdout

    conda = dry(CONDA_PREFIX=str(tmp_path / "envs" / "kamnb"), CONDA_DEFAULT_ENV="kamnb")
    assert f"{tmp_path}/envs/kamnb/bin/python -m pip install" in conda and "-m venv" not in conda
    assert f"{tmp_path}/envs/kamnb/bin/kamnb batch data/sample" in conda
    base = dry(CONDA_PREFIX=str(tmp_path / "conda"), CONDA_DEFAULT_ENV="base")  # never into conda's own base environment
    assert "-m venv .venv" in base and ".venv/bin/kamnb batch" in base
    assert "-m venv .venv" in dry()
