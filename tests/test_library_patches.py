"""Where kamnb leans on a library's internals, it says which versions it was checked against; an unknown version fails here."""
from __future__ import annotations

import importlib.metadata

import pytest


def major_minor(package: str) -> str:
    return ".".join(importlib.metadata.version(package).split(".")[:2])


@pytest.mark.parametrize(("package", "checked"), [
    ("matplotlib", "kamnb.plots.text_sizes:CHECKED_MATPLOTLIB"),
    ("jsonschema", "kamnb.batch:CHECKED_JSONSCHEMA"),
    ("pandas", "kamnb.batch.kernel_reset:CHECKED_PANDAS"),
    ("papermill", "kamnb.batch.papermill_engine:CHECKED_PAPERMILL"),
    ("ipykernel", "kamnb.batch.kernel_tuning:CHECKED_IPYKERNEL"),
    ("ipykernel", "kamnb.batch.kernel_cells:CHECKED_IPYKERNEL_HOOKS"),
])
def test_installed_version_was_checked(package: str, checked: str) -> None:
    module, name = checked.split(":")
    versions = getattr(__import__(module, fromlist=[name]), name)
    assert major_minor(package) in versions, (
        f"{package} {importlib.metadata.version(package)} is not among the versions {module}.{name} was checked against "
        f"({', '.join(versions)}): check the patch against it, then add the version")


def test_importing_the_charts_patches_nothing() -> None:
    import subprocess
    import sys

    code = ("from matplotlib.textpath import TextToPath; before = TextToPath.get_text_width_height_descent; "
            "import kamnb.plots, kamnb.plots.classification; import pandas as pd; "
            "print(TextToPath.get_text_width_height_descent is before, pd.get_option('display.max_colwidth'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "50"]


def test_the_extension_installs_the_display_and_the_text_sizes() -> None:
    import subprocess
    import sys

    code = ("from IPython.testing.globalipapp import start_ipython; ip = start_ipython(); "
            "ip.run_line_magic('load_ext', 'kamnb.plots'); from matplotlib.textpath import TextToPath; import pandas as pd; "
            "print(hasattr(TextToPath.get_text_width_height_descent, '_kamnb_measure'), pd.get_option('display.max_colwidth'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-2:] == ["True", "None"]
