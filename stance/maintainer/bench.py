"""`stance bench` (`make bench`): stance's speed and overheads as ratios against bare scikit-learn on the same data.

0. sentences per second on one core: the default pipeline end to end and each of its steps,
   against a bare word TF-IDF + logistic regression fitted on the same split;
1. ``m.predict`` against ``m.pipeline.predict`` on 20,000 statements (target <= 1.10);
2. ``stance predict "one statement"`` wall time against importing the scikit-learn modules
   loading the model needs (target <= 2.0);
3. a default ``stance-train`` run against the bare ``pipeline.fit`` inside it, with and
   without the cross-domain evaluation.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _median_seconds(command: list[str], repeat: int, env: dict | None = None) -> float:
    """Wall time of a command as users run it: on every core, with the environment it had."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            command,
            check=True,
            capture_output=True,
            env={**_WHOLE_MACHINE["env"], **(env or {})},
            preexec_fn=_on_every_core,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


_WHOLE_MACHINE: dict = {"env": dict(os.environ), "cpus": None}


def _one_core() -> None:
    """Sentences per core: this process, and the BLAS threads it starts, on one CPU (the
    commands timed as users run them get the whole machine back)."""
    from threadpoolctl import threadpool_limits

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    threadpool_limits(1)
    if hasattr(os, "sched_setaffinity"):
        _WHOLE_MACHINE["cpus"] = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(_WHOLE_MACHINE["cpus"])})


def _on_every_core() -> None:
    if _WHOLE_MACHINE["cpus"]:
        os.sched_setaffinity(0, _WHOLE_MACHINE["cpus"])


def _throughput(pipeline, train, texts: list[str]) -> list[tuple[str, float]]:
    """(step, sentences/s) for the fitted default pipeline, each of its steps on the texts
    the step receives, and a bare word TF-IDF + logistic regression fitted on ``train``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    n = len(texts)
    rows = [
        ("default pipeline, end to end", n / _best_of(lambda: pipeline.predict_proba(texts), 3))
    ]
    prep, features, clf = (step for _, step in pipeline.steps)
    prepared = prep.transform(texts)
    rows.append(("  step prep (TextPreprocessor)", n / _best_of(lambda: prep.transform(texts), 3)))
    for name, part in getattr(features, "transformer_list", [("features", features)]):
        seconds = _best_of(lambda part=part: part.transform(prepared), 3)
        rows.append((f"  step features/{name} ({type(part).__name__})", n / seconds))
    matrix = features.transform(prepared)
    rows.append(
        (f"  step clf ({type(clf).__name__})", n / _best_of(lambda: clf.predict_proba(matrix), 3))
    )
    bare = make_pipeline(TfidfVectorizer(sublinear_tf=True), LogisticRegression(max_iter=1000))
    bare.fit(train.texts, train.labels)
    rows.append(
        (
            "bare word TF-IDF + logistic regression",
            n / _best_of(lambda: bare.predict_proba(texts), 3),
        )
    )
    return rows


# Run by each code tree in its own process: fit the default pipeline on this checkout's
# train split, then time predict_proba on the 20k statements (CPU seconds, best of 5).
_PREDICT_IN_A_TREE = """
import json, sys, time
import numpy as np
from hydra import compose, initialize_config_dir
from stance.config import config_dir, register_resolvers
from stance.data import load_corpus
from stance.train import build_pipeline
data, texts_file, out = sys.argv[1:4]
register_resolvers()
with initialize_config_dir(str(config_dir()), version_base="1.3"):
    cfg = compose("config", overrides=[f"data.dir={data}", f"paths.experiments={out}.exp"])
train = load_corpus(cfg.data, cfg.labels, out + ".cache")["train"]
pipeline = build_pipeline(cfg).fit(train.texts, train.labels)
texts = json.load(open(texts_file, encoding="utf-8"))
seconds = []
for _ in range(5):
    started = time.process_time()
    probabilities = pipeline.predict_proba(texts)
    seconds.append(time.process_time() - started)
np.save(out, probabilities)
print(min(seconds))
"""


def against(revision: str, work: Path) -> int:
    """The default pipeline's prediction at ``revision`` (a git commit of this checkout)
    against this checkout's: CPU seconds on one core for 20k statements, and the largest
    difference between their probabilities. Both fit on this checkout's data."""
    import json

    import numpy as np

    from stance.config import project_root

    root = project_root()
    old_tree = work / "old"
    old_tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "stance", "conf"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
    texts = _statements(_config_and_corpus(work)[1])
    (work / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    seconds, probabilities = {}, {}
    for name, tree in ((revision, old_tree), ("this checkout", root)):
        out = work / f"{len(seconds)}.npy"
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _PREDICT_IN_A_TREE,
                str(root / "data"),
                str(work / "texts.json"),
                str(out),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(tree)},
            cwd=work,
        )
        seconds[name] = float(done.stdout.strip().splitlines()[-1])
        probabilities[name] = np.load(out)
    old, new = seconds.values()
    difference = float(np.abs(probabilities[revision] - probabilities["this checkout"]).max())
    print(f"default pipeline, predict_proba of {len(texts):,} statements, CPU seconds on one core")
    for name, value in seconds.items():
        print(f"  {name:<20}{value:>8.2f} s{len(texts) / value:>10,.0f} /s")
    print(f"  speed-up {old / new:.2f}x; largest probability difference {difference:.1e}")
    return 0


def _config_and_corpus(work: Path):
    """The default config, its outputs under ``work``, and the corpus it reads."""
    from hydra import compose, initialize_config_dir

    from stance.config import config_dir, register_resolvers
    from stance.data import load_corpus

    register_resolvers()
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        cfg = compose(
            "config", overrides=[f"paths.output_dir={work}/run", f"paths.experiments={work}/exp"]
        )
    return cfg, load_corpus(cfg.data, cfg.labels, work / "cache")


def _statements(corpus, n: int = 20_000) -> list[str]:
    """``n`` statements: every split's texts, repeated as needed."""
    pool = [t for split in corpus.splits.values() for t in split.texts]
    return (pool * (n // len(pool) + 1))[:n]


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="stance bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--against",
        metavar="REVISION",
        help="compare the default pipeline's prediction speed and probabilities with a git revision",
    )
    args = parser.parse_args(argv)
    _one_core()
    work = Path(tempfile.mkdtemp(prefix="stance-bench-"))
    try:
        return against(args.against, work) if args.against else _measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work: Path) -> int:
    from stance.config import project_root
    from stance.model import StanceModel
    from stance.train import build_pipeline

    root = project_root()
    cfg, corpus = _config_and_corpus(work)
    train = corpus["train"]

    pipeline = build_pipeline(cfg)
    fit_seconds = _best_of(lambda: pipeline.fit(train.texts, train.labels), 3)
    model = StanceModel(pipeline, {"thresholds": {}})
    model.save(work / "model")

    texts = _statements(corpus)
    speed = _throughput(pipeline, train, texts)
    print(f"{'sentences per second, one core, 20k statements':<60}{'per s':>10}")
    for name, per_second in speed:
        print(f"{name:<60}{per_second:>10,.0f}")
    ratio = speed[0][1] / speed[-1][1]
    print(f"{'default / bare (speed ratio)':<60}{ratio:>10.2f}\n")

    bare_predict = _best_of(lambda: model.pipeline.predict(texts), 3)
    wrapped_predict = _best_of(lambda: model.predict(texts), 3)

    modules = sorted(
        {type(step).__module__ for _, step in pipeline.steps} | {"sklearn.pipeline", "joblib"}
    )
    imports = _median_seconds(
        [
            sys.executable,
            "-c",
            "import " + ", ".join(m for m in modules if not m.startswith("stance")),
        ],
        5,
    )
    one_statement = _median_seconds(
        [
            str(BIN / "stance"),
            "predict",
            "The union rejected the offer.",
            "--model",
            str(work / "model"),
        ],
        5,
    )

    store = f"sqlite:///{work}/mlflow.db"
    env = {"MLFLOW_TRACKING_URI": store}
    common = [f"paths.experiments={work}/exp", f"tracking.uri={store}"]
    train_full = _median_seconds([str(BIN / "stance-train"), *common], 1, env)
    train_plain = _median_seconds(
        [str(BIN / "stance-train"), *common, "evaluation.cross_domain=false"], 1, env
    )

    rows = [
        ("m.predict / m.pipeline.predict, 20k statements", wrapped_predict, bare_predict, 1.10),
        (
            'stance predict "one statement" / import of the sklearn modules it loads',
            one_statement,
            imports,
            2.0,
        ),
        ("stance-train (default) / bare pipeline.fit", train_full, fit_seconds, None),
        ("stance-train (no cross-domain) / bare pipeline.fit", train_plain, fit_seconds, None),
    ]
    print(f"{'measure':<75}{'stance s':>10}{'bare s':>10}{'ratio':>8}  target")
    result = []
    for name, ours, bare, target in rows:
        ratio = ours / bare
        verdict = "" if target is None else ("ok" if ratio <= target else "OVER")
        print(
            f"{name:<75}{ours:>10.3f}{bare:>10.3f}{ratio:>8.2f}  {'' if target is None else f'<= {target} {verdict}'}"
        )
        result.append(
            {
                "measure": name,
                "stance_seconds": ours,
                "bare_seconds": bare,
                "ratio": ratio,
                "target": target,
            }
        )
    out = root / "experiments" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "machine": f"{os.cpu_count()} cores, measured on one",
        "sentences_per_second": dict(speed),
        "default_over_bare_speed": ratio,
        "results": result,
    }
    out.write_text(json.dumps(summary, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
