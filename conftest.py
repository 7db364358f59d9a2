# Root of the test run: pytest collects tests/ and the docstring examples in kamnb/.
# kamnb/__main__.py runs the command line when imported, so it is not collected.
collect_ignore = ["kamnb/__main__.py"]
# tests/notebooks/ holds inputs of the batch tests (one raises, one hangs, one kills
# its kernel on purpose); nbval must not collect them.
# kamnb/notebooks/ are the shipped notebooks; their nbval references are tests/nbval/.
collect_ignore_glob = ["tests/notebooks/*.ipynb", "kamnb/notebooks/*.ipynb"]
