"""Great Expectations imported with pyspark hidden (by the package's __init__, before any suite)."""

import sys


def import_gx_without_spark() -> None:
    """Import Great Expectations with pyspark hidden. When pyspark is installed (the Spark engine's
    extra), GX's optional Spark support imports pyspark, pyspark.ml and scipy.sparse up front: about
    0.5 s of every run that gates. The gate validates pandas frames only (gx_run.py), as GX does
    when pyspark is absent; pyspark is visible again afterwards, for dbt-spark."""
    hide = "pyspark" not in sys.modules
    if hide:
        sys.modules["pyspark"] = None  # type: ignore[assignment]  # `import pyspark` raises ImportError
    try:
        import great_expectations  # noqa: F401
    finally:
        if hide and sys.modules.get("pyspark", False) is None:
            del sys.modules["pyspark"]


import_gx_without_spark()
