"""--resume reads an earlier manifest without trusting it: only what kamnb itself writes is kept."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamnb.batch.resume import previous_reviews

INPUTS = {"workbook": {"path": "/wb", "sha256": "ab"}, "notebooks": [{"name": "step.ipynb", "sha256": "cd"}]}
FILES = {"A1": "a1", "A2": "a2"}


def earlier(out: Path, accounts: list, inputs: dict = INPUTS) -> Path:
    (out / "accounts").mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        (out / "accounts" / f"{name}.html").write_text("<html></html>")
    (out / "manifest.json").write_text(json.dumps({"inputs": inputs, "accounts": accounts}))
    return out


def entry(account: str, html: str, **kw) -> dict:
    return {"account_id": account, "file": FILES.get(account, "x"), "status": "ok", "outputs": {"html": html}, **kw}


def test_reviews_kamnb_wrote_are_kept(tmp_path):
    out = earlier(tmp_path, [entry("A1", "accounts/a1.html"), entry("A2", "accounts/a2.html")])
    kept, warning = previous_reviews(out, INPUTS, FILES)
    assert sorted(kept) == ["A1", "A2"] and warning == ""
    assert kept["A1"]["resumed"] is True


@pytest.mark.parametrize("html", ["../../etc/passwd", "/etc/passwd", "accounts/../../x.html", "accounts/a2.html", "https://evil.example/a1.html", 7])
def test_a_link_that_kamnb_would_not_write_is_ignored(tmp_path, html):
    out = earlier(tmp_path, [entry("A1", html), entry("A2", "accounts/a2.html")])
    kept, warning = previous_reviews(out, INPUTS, FILES)
    assert sorted(kept) == ["A2"]
    assert warning.startswith("resuming: 1 entry of manifest.json ignored (not what kamnb writes")


def test_a_review_that_is_a_link_out_of_the_folder_is_ignored(tmp_path):
    out = earlier(tmp_path, [entry("A1", "accounts/a1.html")])
    (out / "accounts" / "a1.html").unlink()
    (out / "accounts" / "a1.html").symlink_to("/etc/passwd")
    kept, _ = previous_reviews(out, INPUTS, FILES)
    assert kept == {}


@pytest.mark.parametrize(("text", "words"), [
    ("[1, 2]", "is not a kamnb manifest (found a list, expected an object)"),
    ("{not json", "cannot be read (JSONDecodeError"),
    ('"text"', "is not a kamnb manifest (found a text, expected an object)"),
])
def test_a_manifest_that_is_not_one_is_ignored(tmp_path, text, words):
    (tmp_path / "manifest.json").write_text(text)
    kept, warning = previous_reviews(tmp_path, INPUTS, FILES)
    assert kept == {} and words in warning and warning.endswith("every account runs again")


def test_bad_entries_and_other_inputs_keep_nothing(tmp_path):
    out = earlier(tmp_path, ["junk", entry("A1", "accounts/a1.html", outputs="x")])
    assert previous_reviews(out, INPUTS, FILES)[0] == {}
    out = earlier(tmp_path, [entry("A1", "accounts/a1.html")], inputs={"workbook": "other"})
    kept, warning = previous_reviews(out, INPUTS, FILES)
    assert kept == {} and "changed since the last run" in warning
