"""Turn an account's executed step notebooks into one review page.

:func:`stitch` joins the executed notebooks of one account into a single
notebook (the audit copy the batch writes to ``notebooks/``);
:class:`ReviewExporter` renders it as HTML with the code hidden, a title, a
table of contents built from the Markdown headings and every chart embedded
as an SVG picture. The page loads nothing from the network: the template (in
``kamnb/templates/review``) writes no ``<script>`` and its
Content-Security-Policy forbids scripts and any fetch, so the page reads the
same offline, in a mail attachment or printed.

Example:
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Step one\\n\\nText.")])
    >>> review = stitch([("01_step.ipynb", nb)], account_id="ACC-001", account_name="Nordlicht")
    >>> html = ReviewExporter().export(review, title="Nordlicht", subtitle="ACC-001", generated="2026-11-01")
    >>> '<a href="#step-one">Step one</a>' in html and "<script" not in html
    True
"""
from __future__ import annotations

import html as htmllib
import re
from collections.abc import Sequence
from typing import Any

import nbformat

from kamnb.common.tables import escape
from kamnb.paths import TEMPLATES

"""Where the review and portfolio templates live (package data)."""


_HEADING = re.compile(r"<h([1-3])(?:\s[^>]*)?>(.*?)</h\1>", re.S)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def stitch(steps: Sequence[tuple[str, nbformat.NotebookNode]], *, account_id: str, account_name: str) -> nbformat.NotebookNode:
    """Join executed step notebooks into one, in order, with stable cell ids.

    Cell ids become ``s<step>-<cell>`` (papermill gives its injected cell a
    random id, which would make two runs differ). Each cell records its step
    in ``metadata.kamnb.step``. Consecutive pieces of printed text are joined
    into one output: how a kernel splits a ``print`` depends on when its
    output buffer happened to be flushed, which must not change the review.

    Example:
        >>> nb = stitch([("01", nb1), ("02", nb2)], account_id="ACC-001", account_name="Nordlicht Logistics")  # doctest: +SKIP
        >>> nb.cells[0].id  # doctest: +SKIP
        's1-1'
    """
    nb = nbformat.v4.new_notebook()
    first = steps[0][1] if steps else None
    if first is not None:
        for key in ("kernelspec", "language_info"):
            if key in first.metadata:
                nb.metadata[key] = first.metadata[key]
    nb.metadata["kamnb"] = {"account_id": account_id, "account_name": account_name, "steps": [name for name, _ in steps]}
    nb.metadata["title"] = account_name
    for i, (name, step) in enumerate(steps, start=1):
        for j, cell in enumerate(step.cells, start=1):
            cell = nbformat.from_dict(cell)
            cell["id"] = f"s{i}-{j}"
            cell.setdefault("metadata", {}).setdefault("kamnb", {})["step"] = name
            if cell.get("outputs"):
                cell["outputs"] = merge_streams(cell["outputs"])
            nb.cells.append(cell)
    return nb


def merge_streams(outputs: list[Any]) -> list[Any]:
    """Join consecutive stream outputs of the same stream (stdout, stderr) into one.

    >>> o = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("names: ", "[]\\n")]
    >>> [x.text for x in merge_streams(o)]
    ['names: []\\n']
    """
    merged: list[Any] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if last is not None and output.get("output_type") == "stream" == last.get("output_type") and output.get("name") == last.get("name"):
            last["text"] = last["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def anchor(heading: str) -> str:
    """The id a review gives a heading: its words in lower case joined by hyphens.

    Links to a section (the first screen's, an analyst's) use it; a second
    heading with the same words gets ``-2``, ``-3``... (see :func:`add_toc`).

    >>> anchor("Forecast: factored value")
    'forecast-factored-value'
    >>> anchor("Bow-tie or diamond")
    'bow-tie-or-diamond'
    """
    words = re.findall(r"[0-9a-z]+", htmllib.unescape(heading).lower())
    return "-".join(words) or "section"


def add_toc(page: str) -> str:
    """Give every h1-h3 heading of the page body an id from its text and put a linked table of contents in place.

    The contents go where the body holds the ``<!--kamnb:toc-->`` marker (after
    the account's first screen), else where the page header holds it.

    >>> print(add_toc('<!--kamnb:toc--><main><h1>A &amp; B</h1><h2 id="x">C<a class="anchor-link" href="#x">¶</a></h2><h2>C</h2></main>'))
    <nav class="toc"><h2>Contents</h2><ol>
    <li class="toc-1"><a href="#a-b">A &amp; B</a></li>
    <li class="toc-2"><a href="#c">C</a></li>
    <li class="toc-2"><a href="#c-2">C</a></li>
    </ol></nav><main><h1 id="a-b">A &amp; B</h1><h2 id="c">C</h2><h2 id="c-2">C</h2></main>
    """
    marker = "<!--kamnb:toc-->"
    start = page.find("<main>")
    if start < 0:
        return page.replace(marker, "")
    entries: list[str] = []
    used: dict[str, int] = {}

    def renumber(match: re.Match[str]) -> str:
        level, inner = match.group(1), _ANCHOR.sub("", match.group(2))
        text = " ".join(htmllib.unescape(_TAG.sub("", inner)).split())
        base = anchor(text)
        used[base] = used.get(base, 0) + 1
        ident = base if used[base] == 1 else f"{base}-{used[base]}"
        entries.append(f'<li class="toc-{level}"><a href="#{ident}">{escape(text, quote=False)}</a></li>')
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    body = _HEADING.sub(renumber, page[start:])
    toc = '<nav class="toc"><h2>Contents</h2><ol>\n' + "\n".join(entries) + "\n</ol></nav>" if entries else ""
    head = page[:start]
    if marker in body:
        return head.replace(marker, "") + body.replace(marker, toc, 1).replace(marker, "")
    return head.replace(marker, toc) + body


_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_TAG_WITH_STYLE = re.compile(r"<[a-zA-Z][^<>]*?\sstyle=[^<>]*>")
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle=("[^"]*"|'[^']*')""")
_POLICY_STYLES = "style-src 'none'"
_NEVER_IN_BODY = re.compile(r"</?(?:meta|base|link|iframe|frame|object|embed)\b[^<>]*>", re.I)
_SCRIPT_ELEMENT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)


def source_hash(css: str) -> str:
    """The Content-Security-Policy source that admits exactly this style sheet or script.

    >>> source_hash("p { color: red; }")
    "'sha256-pckGv9YvNcB5xy+Y4fbqhyo+ib850wyiuWeNbZvLi00='"
    """
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def seal(page: str) -> str:
    r"""Admit only kamnb's own style sheets in a page's policy, and drop inline style attributes.

    The templates write ``style-src 'none'``; this replaces it by the hash of
    the page's own style sheet (the first ``<style>`` of the head, which holds
    kamnb's sheets). Any other ``<style>``, even one that escaped escaping, is
    refused by the browser. Inline ``style`` attributes (the notebook look of
    kamnb's tables) and the style sheets outputs carry for JupyterLab (pandas'
    beside each DataFrame, the first screen's) would be refused too under such
    a policy, so they are removed from the body; the page's style sheet gives
    the same look by class. A ``<script>`` stays only when the head's policy
    names its hash (the index's table script).
    Tags a page's body never holds and a policy cannot stop (``<meta>``
    refresh, ``<base>``) or that would embed or fetch (frames,
    objects, links) are removed from the body as well.

    >>> page = '<meta http-equiv="Content-Security-Policy" content="style-src \'none\'"><style>p{}</style><main><p style="x">a</p></main>'
    >>> sealed = seal(page)
    >>> "'none'" in sealed, source_hash("p{}") in sealed, '<p>a</p>' in sealed
    (False, True, True)
    """
    head_end = page.find("</head>")
    head = page[: head_end if head_end >= 0 else len(page)]
    first = _STYLE_ELEMENT.search(head)
    sources = source_hash(first.group(1)) if first else "'none'"
    start = page.find("<body")
    if start < 0:
        start = page.find("<main>")
    top = page[:start] if start >= 0 else ""
    body = page[start:] if start >= 0 else page
    body = _STYLE_ELEMENT.sub("", body)
    policy = htmllib.unescape(top)
    body = _SCRIPT_ELEMENT.sub(lambda m: m.group(0) if source_hash(m.group(1)) in policy else "", body)
    body = _NEVER_IN_BODY.sub("", body)
    body = _TAG_WITH_STYLE.sub(lambda m: _STYLE_ATTRIBUTE.sub("", m.group(0)), body)
    return top.replace(_POLICY_STYLES, "style-src " + sources, 1) + body


_ACTIVE_MIME = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json")
_ACTIVE_HTML = re.compile(r"<script\b[^>]*>.*?</script\s*>|</?(?:meta|base|link|iframe|frame|object|embed|form)\b[^<>]*>", re.S | re.I)
_EVENT_ATTRIBUTE = re.compile(r"""(<[a-zA-Z][^<>]*?)\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def audit_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The stitched notebook as the batch writes it for audit: outputs that could act removed.

    The audit notebook is written unsigned, so JupyterLab treats it as
    untrusted: it sanitises HTML outputs and runs nothing (docs/batch.md).
    Should a reader trust it anyway, nothing in it can act either: script and
    widget outputs are dropped, and HTML outputs lose any ``<script>``,
    ``<meta>``, ``<base>``, frame, object, form or ``on…=`` handler (kamnb
    writes none; every workbook text in them is escaped).

    >>> cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={
    ...     "text/html": '<p onclick="x()">a</p><script>y()</script>', "application/javascript": "z()"})])
    >>> audit_copy(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs[0]["data"]
    {'text/html': '<p>a</p>'}
    """
    copy = nbformat.from_dict(nb)
    for cell in copy.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data:
                continue
            for mime in _ACTIVE_MIME:
                data.pop(mime, None)
            if "text/html" in data:
                text = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
                text = _ACTIVE_HTML.sub("", text)
                while True:
                    cleaned = _EVENT_ATTRIBUTE.sub(r"\1", text)
                    if cleaned == text:
                        break
                    text = cleaned
                data["text/html"] = text
    return copy


def alt_text(output: dict[str, Any]) -> str:
    """The alternative text of a picture output: its text version, unless that is only a repr.

    >>> alt_text({"data": {"text/plain": "Chart: Pareto split\\nof revenue"}})
    'Chart: Pareto split of revenue'
    >>> alt_text({"data": {"text/plain": "<Figure size 800x450 with 1 Axes>"}})
    'Chart'
    """
    text = " ".join(str(output.get("data", {}).get("text/plain", "")).split())
    return "Chart" if not text or (text.startswith("<") and text.endswith(">")) else text


def _page_exporter(config: Any) -> Any:
    """nbconvert's HTML exporter, minus two passes a review does not need.

    * The closing BeautifulSoup pass of ``HTMLExporter.from_notebook_node``
      re-parses the whole page only to add a placeholder alternative text to
      images and tab stops to code inputs; the review template writes real
      alternative texts itself and shows no inputs. It cost about half of the
      export time.
    * The check of the whole notebook against the schema after *every*
      preprocessor (a dozen per page): the batch validates the notebook once,
      when it writes the audit copy.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):  # type: ignore[misc]
        def from_notebook_node(self, nb: nbformat.NotebookNode, resources: Any = None, **kw: Any) -> Any:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)  # type: ignore[no-any-return]

        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            return None

    exporter = PageExporter(
        config=config,
        template_name="review",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,  # add_toc gives headings their ids
    )
    exporter.register_filter("alt_text", alt_text)
    return exporter


class ReviewExporter:
    """One nbconvert HTML exporter, kept for many pages (templates compile once).

    Code cells' input and all prompts are left out; cells tagged
    ``remove-cell`` are dropped and ``remove-output`` hides a cell's output.
    Warnings a notebook printed (stderr) stay in the audit notebook but not in
    the page. Charts are embedded as SVG (or PNG) data with their title as
    alternative text.

    Example:
        >>> html = ReviewExporter().export(nb, title="Nordlicht Logistics")  # doctest: +SKIP
        >>> html.startswith("<!DOCTYPE html>")  # doctest: +SKIP
        True
    """

    def __init__(self) -> None:
        from traitlets.config import Config

        config = Config()
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
        config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
        self._exporter = _page_exporter(config)

    def export(self, nb: nbformat.NotebookNode, *, title: str, subtitle: str = "", generated: str = "", footer: str = "",
               paper: str = "A4", print_footer: str = "") -> str:
        """Render ``nb`` as a review page; ``title`` and the rest are escaped.

        ``paper`` and ``print_footer`` (default: the title) set the printed
        page's size and the text left of the page numbers.
        """
        from kamnb import __version__
        from kamnb.batch.printing import page_css

        info = {"title": title, "subtitle": subtitle, "generated": generated, "footer": footer, "version": __version__,
                "page_css": page_css(paper, print_footer or title)}
        body, _ = self._exporter.from_notebook_node(nb, resources={"kamnb": info})
        return seal(add_toc(body))


def render_template(name: str, **context: Any) -> str:
    """Render one of kamnb's own Jinja templates with HTML autoescaping on.

    Example:
        >>> page = render_template("portfolio.html.j2", title="Key-account portfolio", **context)  # doctest: +SKIP
        >>> "<!DOCTYPE html>" in page  # doctest: +SKIP
        True
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(TEMPLATES / "portfolio"), str(TEMPLATES / "review")]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return seal(env.get_template(name).render(**context))
