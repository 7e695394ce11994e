"""`make bench-scale`: how fit time, prediction speed and peak memory grow with training rows.

A SCALE TEST, not training data: ``data/train.csv`` is resampled with light, seeded
perturbation (numbers changed, capitalised names swapped, sometimes a word dropped) into
``scale_test_<rows>.csv`` files in a temp folder, removed afterwards. The models fitted on them
are measured and deleted; none is saved, logged or registered. Validation, test, the seed
statements and the wire set are never used.

For each size and each pipeline (the default config; ``experiment=out_of_core``) a fresh
process fits the pipeline alone (`stance.train._fit`, as a run does, without the evaluation
or MLflow) and another predicts every row of the file, in chunks; each reports its own peak
resident memory (``getrusage(RUSAGE_SELF).ru_maxrss``), so peaks never mix. A default fit
whose time, extrapolated linearly from the size below it, would pass ``--max-fit-seconds``
is not run, and the larger file is predicted with the model of the size below.

The table goes to ``experiments/bench_scale.json`` and, between marker comments, to the
docs/performance.md (written atomically).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (10_000, 100_000, 1_000_000)
PIPELINES = {"default": [], "out_of_core": ["experiment=out_of_core"]}
START, END = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"
PREDICT_CHUNK = 10_000

_NUMBER = re.compile(r"\d+")
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}\b")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- the scale-test files ---------------------------------------------------------------


def perturb(text: str, rng: random.Random, names: list[str]) -> str:
    """Numbers redrawn, capitalised words after the first swapped for others of the corpus,
    and one in three texts missing a word (never the first)."""
    text = _NUMBER.sub(lambda m: str(rng.randrange(10 ** len(m.group())) or 1), text)
    text = _NAME.sub(lambda m: rng.choice(names) if rng.random() < 0.5 else m.group(), text)
    words = text.split(" ")
    if len(words) > 4 and rng.random() < 1 / 3:
        del words[rng.randrange(1, len(words))]
    return " ".join(words)


def write_scale_file(rows: list[dict], size: int, path: Path, seed: int) -> Path:
    """``size`` rows drawn with replacement from ``rows`` and perturbed, ids ``scale_test-N``."""
    rng = random.Random(seed * 1_000_003 + size)
    names = sorted({n for r in rows for n in _NAME.findall(r["text"])})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "label", "domain"])
        for i in range(size):
            row = rows[rng.randrange(len(rows))]
            text = perturb(row["text"], rng, names)
            writer.writerow([f"scale_test-{i}", text, row["label"], row["domain"]])
    return path


def scale_folder(root: Path, work: Path, size: int, seed: int) -> Path:
    """A data folder whose train.csv is the scale-test file (validation and test copied, only
    so the corpus loads; they are not scored here)."""
    with open(root / "data" / "train.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    folder = work / f"scale_test_{size}"
    folder.mkdir(parents=True)
    write_scale_file(rows, size, folder / "train.csv", seed)
    for split in ("validation", "test"):
        shutil.copyfile(root / "data" / f"{split}.csv", folder / f"{split}.csv")
    return folder


# -- measurements, one fresh process each ----------------------------------------------


def _worker_fit(pipeline: str, data: Path, model: Path, work: Path) -> dict:
    import joblib
    from hydra import compose, initialize_config_dir

    from stance.config import config_dir, register_resolvers
    from stance.data import load_corpus
    from stance.train import _fit, build_pipeline

    register_resolvers()
    overrides = [
        *PIPELINES[pipeline],
        f"data.dir={data}",
        f"paths.experiments={work}/exp",
        f"paths.output_dir={work}/run",
    ]
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    corpus = load_corpus(cfg.data, cfg.labels)
    fitted, seconds = _fit(build_pipeline(cfg), corpus["train"], cfg)
    joblib.dump(fitted.pipeline, model)
    return {"fit_seconds": seconds, "fit_peak_mb": _peak_mb()}


def _worker_predict(model: Path, data: Path) -> dict:
    import joblib

    from stance.io import read_texts

    pipeline = joblib.load(model)
    rows, seconds = 0, 0.0
    for texts in read_texts(data / "train.csv", PREDICT_CHUNK):
        started = time.perf_counter()
        pipeline.predict(texts)
        seconds += time.perf_counter() - started
        rows += len(texts)
    return {
        "predict_rows": rows,
        "predict_per_second": rows / seconds,
        "predict_peak_mb": _peak_mb(),
    }


def _worker_baseline() -> dict:
    import joblib  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    from hydra import compose  # noqa: F401

    import stance.data  # noqa: F401
    import stance.streaming  # noqa: F401
    import stance.train  # noqa: F401

    return {"baseline_peak_mb": _peak_mb()}


def _run_worker(*args: str) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "stance.maintainer.bench_scale", "--worker", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table -------------------------------------------------------------------------


def _rows_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def table(results: list[dict], baseline_mb: float) -> str:
    lines = [
        "| pipeline | rows | fit s | fit peak MB | predict sentences/s | predict peak MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.get("fit_seconds") is None:
            fit = f"not run (~{r['fit_estimate_s'] / 60:.0f} min est.)"
            peak = "–"
        else:
            fit, peak = f"{r['fit_seconds']:.1f}", f"{r['fit_peak_mb']:.0f}"
        via = f" ({_rows_label(r['model_rows'])} model)" if r["model_rows"] != r["rows"] else ""
        lines.append(
            f"| {r['pipeline']} | {_rows_label(r['rows'])} | {fit} | {peak} | "
            f"{r['predict_per_second']:,.0f}{via} | {r['predict_peak_mb']:.0f} |"
        )
    lines.append("")
    lines.append(
        f"Peak MB is the process's own maximum resident set; importing alone: {baseline_mb:.0f} MB."
    )
    return "\n".join(lines)


def write_readme(readme: Path, block: str) -> None:
    from stance.io import replace_between

    replace_between(readme, START, END, block)


def measure(sizes: tuple[int, ...], seed: int, max_fit_seconds: float, work: Path) -> dict:
    from stance.config import project_root

    root = project_root()
    baseline = _run_worker("baseline")["baseline_peak_mb"]
    print(f"baseline (imports only): {baseline:.0f} MB peak", flush=True)
    results: list[dict] = []
    for size in sizes:
        started = time.perf_counter()
        data = scale_folder(root, work, size, seed)
        print(f"scale_test_{size}.csv written in {time.perf_counter() - started:.1f} s", flush=True)
        for pipeline in PIPELINES:
            model = work / f"{pipeline}_{size}.joblib"
            row: dict = {"pipeline": pipeline, "rows": size, "model_rows": size}
            below = [r for r in results if r["pipeline"] == pipeline and r.get("fit_seconds")]
            estimate = below[-1]["fit_seconds"] * size / below[-1]["rows"] if below else 0.0
            if estimate > max_fit_seconds:
                row.update(fit_seconds=None, fit_estimate_s=estimate)
                row["model_rows"] = below[-1]["rows"]
                model = work / f"{pipeline}_{below[-1]['rows']}.joblib"
            else:
                row.update(_run_worker("fit", pipeline, str(data), str(model), str(work)))
            row.update(_run_worker("predict", str(model), str(data)))
            results.append(row)
            print(json.dumps(row), flush=True)
        shutil.rmtree(data)
    return {"baseline_peak_mb": baseline, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench-scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="rows, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-fit-seconds", type=float, default=900.0)
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "fit":
            found = _worker_fit(rest[0], Path(rest[1]), Path(rest[2]), Path(rest[3]))
        elif kind == "predict":
            found = _worker_predict(Path(rest[0]), Path(rest[1]))
        else:
            found = _worker_baseline()
        print(json.dumps(found))
        return 0

    from stance.config import project_root
    from stance.io import write_text_atomic

    sizes = tuple(int(s) for s in args.sizes.split(","))
    work = Path(tempfile.mkdtemp(prefix="stance-scale-test-"))
    try:
        found = measure(sizes, args.seed, args.max_fit_seconds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    block = table(found["results"], found["baseline_peak_mb"])
    ooc = {r["rows"]: r for r in found["results"] if r["pipeline"] == "out_of_core"}
    verdict = 0
    if 100_000 in ooc and 1_000_000 in ooc:
        ratio = ooc[1_000_000]["fit_peak_mb"] / ooc[100_000]["fit_peak_mb"]
        verdict = 0 if ratio <= 2.0 else 1
        line = f"out-of-core fit peak memory, 1M rows / 100k rows: {ratio:.2f} (target <= 2)"
        found["ooc_peak_ratio_1m_100k"] = ratio
        block += f"\n\n{line}."
        print(line, "ok" if verdict == 0 else "OVER")
    print(f"\n{block}")
    root = project_root()
    write_text_atomic(
        root / "experiments" / "bench_scale.json",
        json.dumps({"machine": f"{os.cpu_count()} cores", **found}, indent=2),
    )
    if not args.no_readme:
        write_readme(root / "docs" / "performance.md", block)
        print(f"\nwritten to {root / 'docs' / 'performance.md'} and experiments/bench_scale.json")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
