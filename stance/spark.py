"""Batch scoring on Spark: a text column of a Parquet or CSV dataset gets ``label``,
``confidence`` and ``p_<label>`` columns, the answers `stance.load_model` gives row by row.

The model is loaded once, on the driver, by `stance.load_model` (a folder, a ``model.joblib``,
``runs:/…`` or ``models:/…``; the checksum checked there) and travels to the executors inside
a pandas UDF (Spark broadcasts a large UDF), so executors need neither the model file nor the
tracking store: only stance and its pipeline's libraries. No MLflow call is made here: an
MLflow URI is resolved by `stance.load_model` through `stance.tracking`.

pyspark is imported inside the functions (``pip install 'stance[spark]'``; Java 17+).
"""

# No `from __future__ import annotations`: pyspark reads the pandas UDF's type hints, which
# name pandas imported inside `score`.
import os
import shutil
import sys
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stance import StanceError

if TYPE_CHECKING:
    from stance.model import StanceModel

FORMATS = ("parquet", "csv")
# PySpark 4.3 warns on every pandas conversion that it "does not yet fully support pandas >=
# 3.0.0"; the lock pins pandas 3, and tests/test_spark.py checks the answers under it.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"
LOG_CONFIG = Path(__file__).with_name("spark_log4j2.properties").as_uri()
# A text Spark would pass and `StanceModel` refuses: nothing but (Unicode) white space.
_BLANK = r"(?U)^\s*$"


def output_columns(labels: list[str]) -> list[str]:
    """The columns scoring adds, in order: ``label``, ``confidence``, ``p_<label>`` per label."""
    return ["label", "confidence", *[f"p_{label}" for label in labels]]


def session(master: str = "local[*]", app_name: str = "stance-score"):
    """A SparkSession (the active one if there is one). A ``local`` master binds to
    127.0.0.1 and runs its Python workers with this interpreter; no UI either way."""
    warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
    local = master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # SparkContext reads the workers' interpreter from here only: this one has stance.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if local:
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            # The workers' pandas conversions warn like the driver's (see _PANDAS_WARNING).
            .config("spark.executorEnv.PYTHONWARNINGS", "ignore::FutureWarning")
            # The JVM starts with this session here: errors only, no start-up banner.
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_CONFIG}")
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _answers(model: "StanceModel", texts: list[str], thresholds: dict[str, float]):
    """``label``, ``confidence``, ``p_<label>`` for each text, as `StanceServingModel` answers."""
    import numpy as np
    import pandas as pd

    from stance.model import UNCERTAIN

    labels = model.labels
    proba = model.predict_proba(texts) if texts else np.empty((0, len(labels)))
    best = proba.argmax(axis=1)
    confidence = proba.max(axis=1) if texts else np.empty(0)
    answers = [labels[i] for i in best]
    if thresholds:
        answers = [
            UNCERTAIN if p < thresholds.get(label, 0.0) else label
            for label, p in zip(answers, confidence, strict=True)
        ]
    frame = pd.DataFrame(proba, columns=[f"p_{label}" for label in labels])
    frame.insert(0, "confidence", confidence)
    frame.insert(0, "label", answers)
    return frame


def _load(model) -> "StanceModel":
    from stance.model import StanceModel

    if isinstance(model, StanceModel):
        return model
    from stance import load_model

    return load_model(model)


def check_text_column(df, text_column: str, where: str) -> None:
    """``text_column`` exists and holds strings, or a StanceError naming ``where``."""
    from pyspark.sql.types import StringType

    fields = {field.name: field.dataType for field in df.schema.fields}
    if text_column not in fields:
        found = ", ".join(fields) or "nothing"
        raise StanceError(f"{where}: no column {text_column!r} (found: {found})")
    if not isinstance(fields[text_column], StringType):
        kind = fields[text_column].simpleString()
        raise StanceError(f"{where}: column {text_column!r} holds {kind}, not strings")


def score(df, model=None, text_column: str = "text", abstain: bool = False):
    """``df`` with ``label``, ``confidence`` and ``p_<label>`` columns added (lazily, like
    any Spark transformation). ``model`` is anything `stance.load_model` takes, or a loaded
    `StanceModel`. An input column whose name an output column takes (a gold ``label``)
    comes back as ``input_<name>``, as with ``stance predict``. A null or blank text fails
    the job (`score_file` checks them first and names the file)."""
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
    check_text_column(df, text_column, "input")
    loaded = _load(model)
    added = output_columns(loaded.labels)
    thresholds = loaded.thresholds() if abstain else {}
    result = StructType(
        [StructField("label", StringType())]
        + [StructField(name, DoubleType()) for name in added[1:]]
    )

    @pandas_udf(result)
    def stance_tag(texts: pd.Series) -> pd.DataFrame:
        return _answers(loaded, texts.tolist(), thresholds)

    # The input's columns first, as they came; a name an output column takes gets `input_`.
    renamed = [f"input_{name}" if name in added else name for name in df.columns]
    kept = [F.col(f"`{name}`").alias(new) for name, new in zip(df.columns, renamed, strict=True)]
    tagged = df.select(*kept, stance_tag(F.col(f"`{text_column}`")).alias("_stance_answers"))
    return tagged.select(*[F.col(f"`{name}`") for name in renamed], "_stance_answers.*")


def _format(path: str, given: str | None, default: str) -> str:
    if given:
        if given not in FORMATS:
            raise StanceError(f"format {given!r}: expected one of {', '.join(FORMATS)}")
        return given
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else default


def _local(path: str) -> Path | None:
    """The local path of ``path``, or None for a URI Spark resolves (hdfs://, s3a://, …)."""
    if "://" not in path:
        return Path(path)
    return Path(path.removeprefix("file://")) if path.startswith("file://") else None


def _read(spark, source: str, fmt: str):
    from pyspark.errors import AnalysisException

    try:
        if fmt == "csv":
            # Quoted fields may hold line breaks and doubled quotes (what Python's csv writes).
            reader = spark.read.options(header=True, multiLine=True, escape='"')
            return reader.csv(source)
        return spark.read.parquet(source)
    except AnalysisException as err:
        message = str(err).splitlines()[0]
        raise StanceError(f"{source}: cannot read it as {fmt} ({message})") from None


@dataclass
class ScoreReport:
    rows: int
    seconds: float
    columns: list[str]
    target: str


def score_file(
    source: str | Path,
    target: str | Path,
    model=None,
    *,
    text_column: str = "text",
    master: str = "local[*]",
    in_format: str | None = None,
    out_format: str | None = None,
    abstain: bool = False,
    spark: Any = None,
) -> ScoreReport:
    """Score ``source`` (Parquet file or folder, or CSV with a header) into the folder
    ``target`` (Parquet, or CSV for ``out_format="csv"`` or a ``.csv`` name): the input's
    columns, then ``label``, ``confidence``, ``p_<label>``.

    Bad input (no such file, no text column, a null or blank text) is a StanceError naming
    the file, raised before anything is written. Spark writes into a hidden folder beside
    ``target`` that replaces it only when the job has succeeded. Uses ``spark`` or the
    active session, else starts one on ``master`` and stops it at the end.
    """
    source, target = str(source), str(target)
    fmt = _format(source, in_format, "parquet")
    out_fmt = _format(target, out_format, "parquet")
    local_source, local_target = _local(source), _local(target)
    if local_target is None:
        raise StanceError(
            f"{target}: write to a local folder here; on a cluster, call stance.spark.score "
            "and write with Spark (see the README)"
        )
    if local_source is not None and not local_source.exists():
        raise StanceError(f"{source}: no such file or folder")
    if local_source is not None and local_source.resolve() == local_target.resolve():
        raise StanceError(f"{target}: is the input; choose another output folder")
    if local_target.exists() and not (local_target / "_SUCCESS").is_file():
        raise StanceError(
            f"{target}: exists and is not a folder Spark wrote; choose another output path"
        )
    loaded = _load(model)  # a missing or damaged model fails before Spark starts

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    owned = spark is None and SparkSession.getActiveSession() is None
    spark = spark or session(master)
    started = time.perf_counter()
    tmp = local_target.parent / f".{local_target.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        df = _read(spark, source, fmt)
        check_text_column(df, text_column, source)
        text = F.col(f"`{text_column}`")
        blank = text.isNull() | text.rlike(_BLANK)
        # One pass: rows, blank texts, and how many partitions hold rows at all (a Parquet
        # file of one row group is split into partitions of which one gets every row).
        filled = (
            df.groupBy(F.spark_partition_id())
            .agg(F.count(F.lit(1)).alias("rows"), F.sum(blank.cast("int")).alias("blanks"))
            .collect()
        )
        rows = sum(part["rows"] for part in filled)
        blanks = sum(part["blanks"] for part in filled)
        if not rows:
            raise StanceError(f"{source}: no rows to score")
        if blanks:
            raise StanceError(
                f"{source}: {blanks:,} of {rows:,} rows have a null or blank {text_column!r}"
            )
        cores = spark.sparkContext.defaultParallelism
        scored = score(
            df if len(filled) >= cores else _spread(df, cores), loaded, text_column, abstain
        )
        local_target.parent.mkdir(parents=True, exist_ok=True)
        writer = scored.write.mode("errorifexists")
        if out_fmt == "csv":
            writer.options(header=True, escape='"').csv(str(tmp))
        else:
            writer.parquet(str(tmp))
        _replace(tmp, local_target)
        return ScoreReport(rows, time.perf_counter() - started, scored.columns, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if owned:
            spark.stop()


def _spread(df, partitions: int):
    """``df`` in ``partitions`` partitions, its rows in the order they were read."""
    from pyspark.sql import functions as F

    order = "_stance_order"
    numbered = df.withColumn(order, F.monotonically_increasing_id())
    spread = numbered.repartitionByRange(partitions, order).sortWithinPartitions(order)
    return spread.drop(order)


def _replace(tmp: Path, target: Path) -> None:
    """Put the folder ``tmp`` at ``target``; a previous output there goes only after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
