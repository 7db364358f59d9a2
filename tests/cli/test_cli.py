"""The command line: exit codes, messages, help texts."""
import subprocess
import sys
from pathlib import Path

import pytest

from kamnb.cli import main

ROOT = Path(__file__).resolve().parents[2]


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
    with pytest.raises(SystemExit) as stop:  # a path that is not there: validate's own usage error
        main(["validate", str(tmp_path / "nowhere")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: kamnb validate ") and "no workbook at" in err
    res = run("validate")
    assert res.returncode == 2 and "usage:" in res.stderr
    assert run("frobnicate").returncode == 2


def test_help_says_what_with_an_example():
    res = run("--help")
    assert res.returncode == 0 and "Example:" in res.stdout
    sub = run("validate", "--help")
    assert sub.returncode == 0 and "Example: kamnb validate data/sample" in sub.stdout


SUBCOMMANDS = ["validate", "batch", "workshop", "export", "import-crm"]


def test_every_sub_command_is_covered_by_the_help_test():
    from kamnb.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(SUBCOMMANDS)


@pytest.mark.parametrize("command", [None, *SUBCOMMANDS])
def test_help_says_what_it_does_and_ends_with_a_whole_example(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # the width of a plain terminal: the example must not wrap
    with pytest.raises(SystemExit) as done:
        main([*([command] if command else []), "--help"])
    assert done.value.code == 0
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    prog = "kamnb" + (f" {command}" if command else "")
    description = lines[lines.index("") + 1]  # the first paragraph after the usage
    assert description and not description.startswith(("usage:", "positional", "options")), lines
    assert lines[-1].startswith(f"Example: kamnb {command or ''}".rstrip()), lines[-3:]
    assert lines[-2] == "", f"the example of '{prog} --help' wraps onto two lines: {lines[-2:]}"
