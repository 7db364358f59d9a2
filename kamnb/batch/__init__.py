"""The batch: every account's review through papermill, on local processes or a Dask cluster.

Modules: ``config`` (what a run is given), ``runner`` (one account in a worker),
``schedulers`` (local processes or Dask), ``run`` (the run in named stages),
``engine`` and ``papermill_engine`` (warm kernels for papermill), ``report`` (stitching and
export), ``portfolio`` and ``index`` (the portfolio figures and page), ``portfolio_files``,
``printing``, ``progress``.
"""
import sys

# nbformat validates notebooks with jsonschema, whose import builds about 35 Earley parsers for
# its "iri" format checks when rfc3987_syntax is installed (JupyterLab brings it): some 1.7 s in
# the batch command and in every worker, for checks no notebook schema uses. With the module
# marked absent before jsonschema is first imported, jsonschema leaves those two checks out.
CHECKED_JSONSCHEMA = ("4.26",)
"""jsonschema versions checked to leave the "iri" checks out, and nothing else, when ``rfc3987_syntax`` is marked absent."""
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
