"""Exit codes that tell the truth whatever happens to the output: closed pipes, usage errors, bad paths."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def shell(command: str, cwd: Path = ROOT, timeout: float = 300) -> tuple[int, str, str]:
    """Run ``command`` in bash; return kamnb's own exit status (the pipeline's first), stdout and stderr."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    script = f'{command}\nexit "${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return done.returncode, done.stdout, done.stderr


def kamnb() -> str:
    return f"{sys.executable} -m kamnb"


@pytest.fixture
def bad_workbook(tmp_path: Path) -> Path:
    book = tmp_path / "bad"
    book.mkdir()
    rows = "".join(f"A{i},Account {i},abc\n" for i in range(200))  # many errors: far more output than `head -1` reads
    (book / "accounts.csv").write_text("account_id,name,revenue_12m\n" + rows)
    return book


def test_validate_through_a_closed_pipe_still_exits_1(bad_workbook: Path) -> None:
    code, out, err = shell(f"{kamnb()} validate {bad_workbook} | head -1")
    assert code == 1 and out.startswith("error: ") and len(out.splitlines()) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_validate_of_the_sample_through_a_closed_pipe_exits_0() -> None:
    code, out, err = shell(f"{kamnb()} validate data/sample | head -1")
    assert code == 0 and "Traceback" not in err


@pytest.mark.slow
def test_batch_through_a_closed_pipe_finishes_its_work(tmp_path: Path) -> None:
    book = tmp_path / "wb"
    shutil.copytree(TESTS / "notebooks" / "workbook", book)
    out = tmp_path / "out"
    code, text, _ = shell(f"{kamnb()} batch {book} --out {out} --workers 1 --notebook-dir {TESTS / 'notebooks'} --notebook review.ipynb 2>&1 | head -2")
    assert len(text.splitlines()) == 2
    assert code == 0, text
    assert (out / "index.html").is_file() and (out / "portfolio.xlsx").is_file()
    assert len(list((out / "accounts").glob("*.html"))) == 6


@pytest.mark.parametrize("command", ["validate data/sample", "batch data/sample --out /tmp/kamnb-never", "workshop data/sample",
                                     "export data/sample", "import-crm data/crm-example --out /tmp/kamnb-never"])
def test_each_command_reports_its_own_usage(command: str) -> None:
    name = command.split()[0]
    code, out, err = shell(f"{kamnb()} {command} --bogus")
    assert code == 2 and out == ""
    assert err.startswith(f"usage: kamnb {name} "), err
    assert f"kamnb {name}: error: unrecognized arguments: --bogus" in err and "Traceback" not in err
    code, _, err = shell(f"{kamnb()} {name}")  # a missing argument: the same parser says so
    assert code == 2 and err.startswith(f"usage: kamnb {name} ")
    assert not Path("/tmp/kamnb-never").exists()


@pytest.mark.parametrize("command", ["validate", "batch --out /tmp/kamnb-never", "export", "workshop --no-browser"])
def test_a_path_that_is_not_a_workbook_exits_2(command: str) -> None:
    for path in ("README.md", "no/such/folder"):
        code, out, err = shell(f"{kamnb()} {command.split()[0]} {path} {' '.join(command.split()[1:])}")
        assert code == 2, (command, path, out, err)
        assert path in err and "Traceback" not in err
    assert not Path("/tmp/kamnb-never").exists()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_a_positive_number(value: str) -> None:
    code, _, err = shell(f"{kamnb()} batch data/sample --out /tmp/kamnb-never --workers {value}")
    assert code == 2 and err.startswith("usage: kamnb batch ") and "--workers" in err
