"""docs/extending.md, followed step by step on a copy of the sample workbook.

Every file content, shell command and notebook cell is taken from the fenced
blocks of the guide itself, so a recipe that stops working fails here.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from kamnb.classification import score as classification
from kamnb.qualification import gaps
from kamnb.qualification import score as qualification
from kamnb.relationships import redflags
from kamnb.relationships import score as relationship_score
from kamnb.workbook import check_workbook, load_workbook
from kamnb.workbook.banks import load_questions

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "extending.md"
SAMPLE = ROOT / "data" / "sample"
WORKBOOK = "data/my_workbook"  # the paths the guide uses, relative to the project folder
REPORTS = "reports/my_workbook"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)


def guide_blocks() -> list[dict]:
    """The fenced blocks of the guide in order: lang, attrs (key=value), flags (bare words), body."""
    blocks = []
    for lang, info, body in FENCE.findall(GUIDE.read_text(encoding="utf-8")):
        words = info.split()
        blocks.append({
            "lang": lang,
            "attrs": dict(w.split("=", 1) for w in words if "=" in w),
            "flags": {w for w in words if "=" not in w},
            "body": body,
        })
    return blocks


def block(**attrs: str) -> dict:
    """The one block whose attributes include ``attrs``."""
    found = [b for b in guide_blocks() if all(b["attrs"].get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"docs/extending.md: expected one block with {attrs}, found {len(found)}"
    return found[0]


def shell_env() -> dict[str, str]:
    """PATH with this environment's ``kamnb`` first, as after activating the venv."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def localise(text: str, root: Path) -> str:
    """The guide's paths under ``root`` instead of the project folder (data/sample stays the source)."""
    return text.replace(WORKBOOK, str(root / WORKBOOK)).replace(REPORTS, str(root / REPORTS))


def build_notebook(cells: list[dict]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for b in sorted(cells, key=lambda b: int(b["attrs"]["cell"])):
        make = nbformat.v4.new_code_cell if b["lang"] == "python" else nbformat.v4.new_markdown_cell
        cell = make(b["body"].rstrip("\n"))
        if "tags" in b["attrs"]:
            cell.metadata["tags"] = b["attrs"]["tags"].split(",")
        nb.cells.append(cell)
    return nb


def follow_guide(root: Path) -> dict:
    """Do what the guide says, in its order; the batch command is kept for later, not run."""
    (root / WORKBOOK).parent.mkdir(parents=True)
    commands: list[str] = []
    notebooks: dict[str, list[dict]] = {}
    for b in guide_blocks():
        if b["lang"] == "bash":
            for line in b["body"].splitlines():
                if line.startswith("kamnb batch"):
                    commands.append(localise(line, root))
                    continue
                done = subprocess.run(localise(line, root), shell=True, cwd=ROOT, env=shell_env(), capture_output=True, text=True)
                assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
                if line.startswith("cp -r data/sample"):
                    for journal in (root / WORKBOOK).glob("*journal.sqlite*"):
                        journal.unlink()
        elif "file" in b["attrs"]:
            target = root / WORKBOOK / b["attrs"]["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            if "append" in b["flags"]:
                before = target.read_text(encoding="utf-8")
                target.write_text(before + ("" if before.endswith("\n") else "\n") + b["body"], encoding="utf-8")
            else:
                target.write_text(b["body"], encoding="utf-8")
        elif "notebook" in b["attrs"]:
            notebooks.setdefault(b["attrs"]["notebook"], []).append(b)
    folder = root / WORKBOOK / load_workbook(root / WORKBOOK).settings["batch"]["notebook_dir"]
    for name, cells in notebooks.items():
        nbformat.write(build_notebook(cells), folder / name)
    return {"workbook": root / WORKBOOK, "notebook_dir": folder, "notebooks": sorted(notebooks), "batch": commands, "root": root}


@pytest.fixture(scope="module")
def guide(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip(f"the sample workbook is missing: {SAMPLE} has no accounts.csv")
    return follow_guide(tmp_path_factory.mktemp("extending"))


@pytest.fixture
def team_flags(guide: dict, monkeypatch: pytest.MonkeyPatch):
    """The guide's red-flag module imported as the guide does it; unregistered afterwards."""
    monkeypatch.syspath_prepend(str(guide["notebook_dir"]))
    before = set(redflags.RED_FLAGS)
    import team_flags as module

    yield module
    for name in set(redflags.RED_FLAGS) - before:
        redflags.remove_red_flag(name)
    sys.modules.pop("team_flags", None)


def test_the_customised_workbook_is_valid(guide):
    wb, problems = check_workbook(guide["workbook"])
    assert wb is not None
    assert [str(p) for p in problems if p.level == "error"] == []
    assert not [str(p) for p in problems if "security_review" in str(p) or "data_sharing" in str(p)]


def test_a_new_question_is_asked_scored_and_on_the_agenda(guide):
    new = yaml.safe_load(block(file="questions.yaml")["body"])[0]
    wb = load_workbook(guide["workbook"])
    # the workbook's bank replaced the shipped one whole: the copy keeps every shipped question
    assert list(wb.questions.index) == [*load_questions().index, new["id"]]
    bank = gaps.question_bank(wb)
    assert new["text"] in set(bank["question"])
    answers = qualification.current_answers(wb)
    mine = answers[answers["question_id"] == new["id"]].set_index("opportunity_id")["answer"].to_dict()
    assert mine == {"OP-005": "yes", "OP-006": "partly", "OP-007": "unknown"}
    agenda = gaps.weakest_questions(wb, "ACC-002")
    assert new["id"] in set(agenda["question_id"])
    # an evidenced yes lifts OP-005's score over the sample's; the unknown lowers OP-007's
    plain = qualification.score_opportunities(load_workbook(SAMPLE))["score"]
    now = qualification.score_opportunities(wb)["score"]
    assert now["OP-005"] > plain["OP-005"] and now["OP-007"] < plain["OP-007"]


def test_b_new_indicator_counts_in_the_relationship_score(guide):
    new = yaml.safe_load(block(file="indicators.yaml")["body"])[0]
    wb = load_workbook(guide["workbook"])
    row = relationship_score.score_breakdown(wb, "ACC-002").loc[new["id"]]
    assert row["name"] == new["name"] == "Data shared with us"
    assert row["score"] == 4 and row["status"] == "scored"
    assert row["evidence"] == "Monthly claims data extract shared with us since June"
    # an account nobody scored on it shows a gap, not a zero
    assert relationship_score.score_breakdown(wb, "ACC-001").loc[new["id"], "status"] == "gap"
    plain = relationship_score.relationship_scores(load_workbook(SAMPLE))
    now = relationship_score.relationship_scores(wb)
    assert now.loc["ACC-002", "indicators_scored"] == plain.loc["ACC-002", "indicators_scored"] + 1


def test_c_weights_change_the_key_score(guide):
    section = next(b for b in guide_blocks() if b["attrs"].get("file") == "settings.yaml" and "classification:" in b["body"])
    weights = yaml.safe_load(section["body"])["classification"]["weights"]
    wb = load_workbook(guide["workbook"])
    plain = load_workbook(SAMPLE)
    shown = classification.coverage(wb)["weight"]
    defaults = classification.coverage(plain)["weight"]
    for definition in classification.DEFINITION_IDS:
        assert shown[definition] == weights.get(definition, defaults[definition])
    contributions = classification.explain(wb, "ACC-002").contributions
    assert contributions.loc["strategic", "weight"] == 3 and contributions.loc["big", "weight"] == 0
    assert contributions["contribution"].sum() == pytest.approx(classification.classify(wb).loc["ACC-002", "key_score"])
    assert not classification.classify(wb)["key_score"].equals(classification.classify(plain)["key_score"])


def test_c_a_new_definition_is_code_and_the_guide_names_where(guide):
    text = GUIDE.read_text(encoding="utf-8")
    source = "".join((ROOT / "kamnb" / "classification" / f).read_text(encoding="utf-8") for f in ("definitions.py", "score.py"))
    for name in ("DEFINITIONS", "definition_parts", "rank_inputs", "coverage"):
        assert f"`{name}" in text and (f"def {name}(" in source or f"{name}:" in source)


def test_d_red_flag_rule_shows_in_the_flags(guide, team_flags, monkeypatch):
    wb = load_workbook(guide["workbook"])
    flags = redflags.red_flags(wb, "ACC-002")
    mine = flags[flags["flag"] == "security_review_open"]
    assert list(mine["severity"].unique()) == ["medium"]
    assert sorted(d.split()[0] for d in mine["detail"]) == ["OP-006", "OP-007"]
    assert redflags.registered().loc["security_review_open", "title"] == "Security review not passed"
    # the guide's snippet runs as written, in the folder of the review notebooks
    monkeypatch.chdir(guide["notebook_dir"])
    snippet = next(b for b in guide_blocks() if b["lang"] == "python" and not b["attrs"])["body"]
    *lines, last = snippet.strip().splitlines()
    scope: dict = {}
    exec("\n".join(lines), scope)
    shown = eval(last, scope)
    assert "security_review_open" in set(shown["flag"])


def test_f_new_notebook_follows_the_notebook_rules(guide):
    nb = nbformat.read(guide["notebook_dir"] / "05_team_checks.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_md.source.startswith("# ")
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    listed = load_workbook(guide["workbook"]).settings["batch"]["notebooks"]
    assert listed[-1] == "05_team_checks.ipynb" and all((guide["notebook_dir"] / n).is_file() for n in listed)


@pytest.mark.slow
def test_batch_review_shows_every_extension(guide):
    """One real batch for ACC-002, run with the command the guide gives."""
    assert len(guide["batch"]) == 1
    command = guide["batch"][0] + " --quiet"
    done = subprocess.run(command, shell=True, cwd=ROOT, env=shell_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (guide["root"] / REPORTS / "accounts" / "ACC-002.html").read_text(encoding="utf-8")
    question = yaml.safe_load(block(file="questions.yaml")["body"])[0]["text"]
    heading = block(notebook="05_team_checks.ipynb", cell="2")["body"].splitlines()[0].lstrip("# ").strip()
    titles = [t.strip() for t in re.findall(r'<h1 id="[^"]*">([^<]*)', page)]
    assert titles[-1] == heading and titles[0].startswith("Classification")   # (f) the new notebook comes last
    assert page.count(heading) >= 2                           # its heading and its entry in the table of contents
    steps = dict(zip(titles, re.split(r'<h1 id="[^"]*">', page)[1:], strict=True))
    step = {t.split(":")[0]: text for t, text in steps.items()}
    assert question in step["Qualification"]                  # (a) in the question bank
    assert "Data shared with us" in step["Relationships"]     # (b) in the relationship score
    assert "security review not passed" in step["Relationships"]  # (d) preloaded: in the shipped red-flag section
    assert "Security review" in step["Team checks"]           # (e) the new section
    assert "OP-006" in step["Team checks"] and "OP-005" not in step["Team checks"]
