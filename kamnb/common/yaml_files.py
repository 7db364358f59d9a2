"""Settings and bank files read safely: regular UTF-8 files of bounded size, YAML without objects, dates or alias bombs.

YAML is read safely: no Python objects, dates stay text until the settings
check reads them (``as_of: 2026-02-30`` is reported, not a crash), and a
document whose aliases would expand beyond :data:`MAX_YAML_VALUES` values
(an "alias bomb") is refused at load.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kamnb.errors import Problem

MAX_YAML_VALUES = 100_000
"""More values than this once aliases are expanded and a YAML file is refused (the sample's banks hold ~600)."""

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """Safe YAML without implicit dates: ``2026-02-30`` stays text and is checked with its key path."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
}


def _expanded_size(root: yaml.Node) -> int:
    """How many values a node graph holds once every alias is expanded (counted without expanding)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def read_yaml(text: str, label: str, problems: list[Problem]) -> Any:
    """Parse one YAML document safely; a problem (file, line) and ``{}`` when it cannot be used.

    Example:
        >>> read_yaml("a: [1, 2]", "x.yaml", [])
        {'a': [1, 2]}
        >>> bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\\n' + ''.join(
        ...     f'{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\\n' for p, n in zip('abcde', 'bcdef'))
        >>> problems = []
        >>> read_yaml(bomb, "settings.yaml", problems), problems[0].expected[:60]
        ({}, 'YAML whose aliases (*name) repeat at most 100,000 values; th')
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        size = _expanded_size(node)
        if size > MAX_YAML_VALUES:
            problems.append(
                Problem(label, None, None, None, f"YAML whose aliases (*name) repeat at most {MAX_YAML_VALUES:,} values; this file expands to {size:,}")
            )
            return {}
        return _named_keys(loader.construct_document(node))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problems.append(Problem(label, row, None, None, f"valid YAML ({getattr(err, 'problem', None) or err})"))
        return {}
    except (ValueError, TypeError, RecursionError) as err:  # a value the safe constructor cannot build
        problems.append(Problem(label, None, None, None, f"valid YAML ({type(err).__name__}: {err})"))
        return {}
    finally:
        loader.dispose()


def _named_keys(doc: Any) -> Any:
    """YAML 1.1 reads the key ``yes:`` as ``True``; kamnb's keys are names, so give them back."""
    if isinstance(doc, dict):
        return {("yes" if k else "no") if isinstance(k, bool) else k: _named_keys(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_named_keys(v) for v in doc]
    return doc


MAX_YAML_BYTES = 10_000_000
"""A settings or bank file larger than this (10 MB) is refused unread."""


def read_text_file(path: Path, problems: list[Problem]) -> str | None:
    """The UTF-8 text of a settings or bank file, or ``None`` and a problem (a pipe, a device, too large, not UTF-8).

    Example:
        >>> problems = []
        >>> read_text_file(Path("/dev/zero"), problems), problems[0].expected
        (None, 'a regular file; this is a device')
    """
    import stat

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file"
            problems.append(Problem(path.name, None, None, None, f"a regular file; this is {kind}"))
            return None
        if st.st_size > MAX_YAML_BYTES:
            problems.append(Problem(path.name, None, None, None, f"a file of at most {MAX_YAML_BYTES // 1_000_000} MB; this one has {st.st_size / 1e6:,.0f} MB"))
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(path.name, None, None, None, f"a readable UTF-8 text file ({err})"))
        return None
