# Root of the test run: pytest collects tests/ and the docstring examples in kamnb/.
# kamnb/__main__.py runs the command line when imported, so it is not collected.
collect_ignore = ["kamnb/__main__.py"]
# tests/notebooks/ holds inputs of the batch tests (one raises, one hangs, one kills
# its kernel on purpose); nbval must not collect them.
# kamnb/notebooks/ are the shipped notebooks; their nbval references are tests/nbval/.
collect_ignore_glob = ["tests/notebooks/*.ipynb", "kamnb/notebooks/*.ipynb"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _sample_in_doctests(doctest_namespace, request):
    """Docstring examples run against the sample workbook: ``wb`` is a fresh copy of data/sample.

``load_workbook``, ``pd`` and ``Path`` are there too, as a notebook would have them.

    ``tmp`` is an empty folder of the example's own, so an example that writes
    files writes them there and never into the checkout.
    """
    from pathlib import Path

    import pandas as pd

    from kamnb.workbook import load_workbook

    doctest_namespace["wb"] = load_workbook(Path(__file__).parent / "data" / "sample")
    doctest_namespace["pd"] = pd
    doctest_namespace["Path"] = Path
    doctest_namespace["load_workbook"] = load_workbook
    if isinstance(request.node, pytest.DoctestItem):
        doctest_namespace["tmp"] = request.getfixturevalue("tmp_path")
