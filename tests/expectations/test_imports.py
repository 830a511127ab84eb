"""What importing the gate loads: Great Expectations without pyspark, the pack's writers not at all.

Every run that gates pays for these imports in a fresh process (docs/operations.md, the month's
cost). Checked in a fresh interpreter, since this test session has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import expectations
from expectations.suites.coverage import CoverageThresholds
loaded = {name: name in sys.modules for name in ("great_expectations", "pyspark", "exports.pack", "matplotlib")}
from great_expectations.compatibility import pyspark as gx_spark
import pandas as pd, great_expectations as gx
context = gx.get_context(mode="ephemeral")
frame = pd.DataFrame({"x": [1, 2]})
batch = (context.data_sources.add_pandas("p").add_dataframe_asset("a")
         .add_batch_definition_whole_dataframe("w").get_batch(batch_parameters={"dataframe": frame}))
result = batch.validate(gx.expectations.ExpectColumnValuesToNotBeNull(column="x"))
spark = None
if "--spark" in sys.argv:
    import pyspark
    spark = pyspark.__version__
from exports import PackResult, write_pack
print(json.dumps({"loaded": loaded, "gx_sees_spark": bool(gx_spark.pyspark), "validated": result.success,
                  "spark": spark, "pack": [write_pack.__module__, PackResult.__name__]}))
"""


def _probe(tmp_path: Path, *args: str) -> dict:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_gate_imports_great_expectations_without_spark_or_the_packs_writers(tmp_path):
    seen = _probe(tmp_path)
    assert seen["loaded"] == {"great_expectations": True, "pyspark": False, "exports.pack": False,
                              "matplotlib": False}
    assert seen["gx_sees_spark"] is False and seen["validated"] is True  # GX on pandas, as without pyspark
    assert seen["pack"] == ["exports.pack", "PackResult"]  # the pack's API loads when asked for


@pytest.mark.skipif(find_spec("pyspark") is None, reason="pyspark (the Spark engine's extra) is not installed")
def test_pyspark_is_importable_again_after_the_gate_for_the_spark_engine(tmp_path):
    seen = _probe(tmp_path, "--spark")
    assert seen["spark"] and seen["validated"] is True
