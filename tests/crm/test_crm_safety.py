"""CRM import: mapping paths stay inside the export folder; the generated settings.yaml is a YAML dump, not a text collage."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kamnb.cli import main
from kamnb.crm.mapping import MappingError, load_mapping

ROOT = Path(__file__).resolve().parents[2]
CRM_EXAMPLE = ROOT / "data" / "crm-example"


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.csv", "sub/../../outside.csv", "..\\\\outside.csv"])
def test_a_mapping_path_outside_the_export_is_an_error_naming_the_key(tmp_path, name):
    mapping = tmp_path / "map.yaml"
    mapping.write_text(yaml.safe_dump({"files": {"accounts": name}}), encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mapping(mapping)
    assert "files.accounts" in str(err.value) and "inside the export folder" in str(err.value)


def test_a_link_out_of_the_export_is_refused_and_nothing_of_it_is_echoed(tmp_path, capsys):
    export = tmp_path / "export"
    shutil.copytree(CRM_EXAMPLE, export)
    secret = tmp_path / "secret.csv"
    secret.write_text("account,sector\nroot:x:0:0:secret-line,retail\n", encoding="utf-8")
    (export / "accounts.csv").unlink()
    (export / "accounts.csv").symlink_to(secret)
    assert main(["import-crm", str(export), "--out", str(tmp_path / "wb")]) == 1
    said = capsys.readouterr()
    assert "files.accounts" in said.err and "inside the export folder" in said.err
    assert "secret-line" not in said.out + said.err
    assert not (tmp_path / "wb").exists()


def test_a_newline_in_a_mapped_value_adds_no_key_to_settings_yaml(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(CRM_EXAMPLE, export)
    maven = yaml.safe_load((ROOT / "kamnb" / "defaults" / "crm_maven.yaml").read_text(encoding="utf-8"))
    maven["currency"] = "EUR\nbatch:\n  notebooks: [evil.ipynb]"
    mapping = tmp_path / "map.yaml"
    mapping.write_text(yaml.safe_dump(maven), encoding="utf-8")
    assert main(["import-crm", str(export), "--out", str(tmp_path / "wb"), "--mapping", str(mapping)]) == 0
    settings = yaml.safe_load((tmp_path / "wb" / "settings.yaml").read_text(encoding="utf-8"))
    assert "batch" not in settings
    assert settings["currency"] == "EUR\nbatch:\n  notebooks: [evil.ipynb]"
    assert set(settings) <= {"as_of", "currency", "qualification"}
