"""Characters no text of a workbook, a bank, the settings or a CRM mapping may hold.

Two kinds, both invisible where the text is shown and both never typed on
purpose:

- C0 control characters other than tab, line feed and carriage return, and
  DEL (NUL, vertical tab, escape, ...): they break xlsx files and terminals;
- the Unicode direction embeddings, overrides and isolates (U+202A to U+202E,
  U+2066 to U+2069): they make a text read differently from what it holds, so
  that ``"\\u202egnp.exe"`` looks like ``exe.png``.

The rule is the same for every text: a sheet cell (see
:func:`kamnb.workbook.parsing.parse_cell`), a label or report text of the
settings, a question or indicator of the banks and a value of a CRM mapping.
Such a text is refused with a message naming the character; kamnb does not
guess what was meant.

Example:
    >>> hidden_character("Head\\x0bof IT")
    'U+000B LINE TABULATION at character 5'
    >>> hidden_character("Ann \\u202eLee")
    'U+202E RIGHT-TO-LEFT OVERRIDE at character 5'
    >>> hidden_character("Anne-Marie\\tO'Neil") is None
    True
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from kamnb.errors import Problem

HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
"""One character a text may not hold (see the module's description)."""

EXPECTED = "text without control characters or direction overrides"
"""What a text holding a :data:`HIDDEN` character should be, as messages say it."""

# The Unicode names of the C0 controls and DEL (unicodedata has none for them).
_C0_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE",
    "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN",
    "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL",
    "END OF MEDIUM", "SUBSTITUTE", "ESCAPE", "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
)


def character_name(char: str) -> str:
    """A character as a person can look it up: its code point and Unicode name.

    Example:
        >>> character_name("\\x00"), character_name("\\u2067")
        ('U+0000 NULL', 'U+2067 RIGHT-TO-LEFT ISOLATE')
    """
    code = ord(char)
    name = _C0_NAMES[code] if code < len(_C0_NAMES) else "DELETE" if code == 0x7F else unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def hidden_character(text: str) -> str | None:
    """The first :data:`HIDDEN` character of ``text`` and where it is (``None`` when there is none)."""
    found = HIDDEN.search(text)
    if found is None:
        return None
    return f"{character_name(found.group())} at character {found.start() + 1}"


def shown(text: str) -> str:
    """``text`` with each :data:`HIDDEN` character written as its escape, so that a message shows it.

    Example:
        >>> shown("a\\u202eb")
        'a\\\\u202eb'
    """
    return HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(path: str, key: Any) -> str:
    return f"{path}.{shown(str(key))}" if path else shown(str(key))


def text_problems(node: Any, label: str, path: str = "", item: str = "") -> list[Problem]:
    """One problem for each text of a YAML tree (keys and values) that holds a :data:`HIDDEN` character.

    ``label`` names the file and ``path`` the key above ``node``; a problem
    names the key path (``labels.currency``; for a list, the list's key and
    the item) and the character, so that the key can be left out whole.

    Example:
        >>> for p in text_problems({"labels": {"tier": ["A", "B\\u202e"]}}, "settings.yaml"):
        ...     print(p)
        settings.yaml, key labels.tier: found 'B\\u202e', expected text without control characters or direction overrides (found U+202E RIGHT-TO-LEFT OVERRIDE at character 2 of item 2)
    """
    problems: list[Problem] = []
    if isinstance(node, str):
        found = hidden_character(node)
        if found is not None:
            problems.append(Problem(label, None, path or None, _clip(node), f"{EXPECTED} (found {found}{item})"))
    elif isinstance(node, dict):
        for key, value in node.items():
            child = _key(path, key)
            if isinstance(key, str) and (found := hidden_character(key)) is not None:
                problems.append(Problem(label, None, child, _clip(key), f"{EXPECTED} as its name (found {found})"))
            problems.extend(text_problems(value, label, child, item))
    elif isinstance(node, list):
        for n, value in enumerate(node, start=1):
            problems.extend(text_problems(value, label, path, f" of item {n}{item}"))
    return problems
