# Root of the test run: pytest collects tests/ and the docstring examples in kamnb/.
# kamnb/__main__.py runs the command line when imported, so it is not collected.
collect_ignore = ["kamnb/__main__.py"]
