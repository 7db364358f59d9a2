"""environment.yml and pyproject.toml name the same dependencies; the layout is what the README promises."""
import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {_name(d) for d in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # dask[distributed] is packaged as dask + distributed on conda-forge
    expected = (deps - {"dask"}) | {"dask", "distributed"}
    assert conda == expected, f"environment.yml differs from pyproject.toml: {sorted(conda ^ expected)}"
    assert "-e .[dev]" in pip
    assert "conda-forge" in env["channels"]


def test_design_card_packages_are_real_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {_name(d) for d in project["dependencies"]}
    assert {"jupyterlab", "ipywidgets", "pandas", "matplotlib", "papermill", "nbval"} <= deps


def test_top_level_layout():
    for name in ["notebooks", "kamnb", "data", "reports", "tests", "environment.yml", "README.md", "Makefile", ".ci/run", "docs"]:
        assert (ROOT / name).exists(), name


def test_ci_calls_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_workbook_doc_matches_the_schema():
    from kamnb.workbook.schema import reference_markdown

    doc = (ROOT / "docs" / "workbook.md").read_text()
    start, end = "<!-- reference:start -->", "<!-- reference:end -->"
    body = doc.split(start)[1].split(end)[0].strip()
    assert body == reference_markdown().strip(), "docs/workbook.md is stale: run python -m kamnb.workbook.schema > the reference block"
