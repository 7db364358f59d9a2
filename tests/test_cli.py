"""The command line: exit codes, messages, help texts."""
import subprocess
import sys
from pathlib import Path

from kamnb.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kamnb", *args], capture_output=True, text=True, cwd=ROOT)


def test_validate_sample_exit_0_with_summary():
    res = run("validate", "data/sample")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "data/sample: valid" in res.stdout
    assert "accounts," in res.stdout and "revenue last 12 months: €" in res.stdout


def test_validate_bad_workbook_exit_1(tmp_path, capsys):
    (tmp_path / "accounts.csv").write_text("account_id,name,revenue_12m\nA1,Alpha,abc\n")
    code = main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "error: accounts.csv, row 2, column revenue_12m: found 'abc', expected a number of at least 0 (not a number)" in out
    assert "error: stakeholders.csv: a sheet named stakeholders" in out


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "no workbook at" in capsys.readouterr().err
    res = run("validate")
    assert res.returncode == 2 and "usage:" in res.stderr
    assert run("frobnicate").returncode == 2


def test_help_says_what_with_an_example():
    res = run("--help")
    assert res.returncode == 0 and "Example:" in res.stdout
    sub = run("validate", "--help")
    assert sub.returncode == 0 and "Example: kamnb validate data/sample" in sub.stdout
