"""Where kamnb's own files are: the notebooks, defaults and templates shipped inside the package.

They are package data, found with :mod:`importlib.resources`, so a wheel installed anywhere
finds them as an editable install does.

Example:
    >>> (NOTEBOOKS / "workshop.ipynb").is_file(), (DEFAULTS / "settings.yaml").is_file()
    (True, True)
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("kamnb")))
NOTEBOOKS = PACKAGE / "notebooks"
DEFAULTS = PACKAGE / "defaults"
TEMPLATES = PACKAGE / "templates"
