"""`stance`: tag statements with a saved classifier, score it, and use it on articles.

Heavy libraries load inside the commands, so `stance --help` and one prediction stay quick.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from stance import MAX_CHARS, StanceError

FORMATS = ("table", "json", "csv")
# The longest article taken by default, in characters: a news article is 3,000 to 20,000;
# anything far beyond is not one. (The longest statement: `stance.MAX_CHARS`.)
MAX_ARTICLE_CHARS = 100_000


def _model_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        "-m",
        default=None,
        help="model.joblib, its folder, or an MLflow URI such as models:/stance-classifier@champion "
        "(default: experiments/models/latest)",
    )


def _output_args(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--out", "-o", help="write here (atomically) instead of standard output")
    parser.add_argument(
        "--abstain",
        action="store_true",
        help="answer `uncertain` below the model's per-label thresholds",
    )
    parser.add_argument("--k", type=int, default=5, help=f"{what} (default 5)")


def _parallel_args(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        help=f"processes tagging the {what} (-1: all cores; output order unchanged; default 1)",
    )
    parser.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar (shown on a terminal only)"
    )


def _progress(args, total: int, unit: str):
    """A progress bar on standard error when it is a terminal (never on standard output)."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stance", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "train",
        help="train and track a model (Hydra overrides follow: stance train model=linear_svc)",
        add_help=False,
    )

    predict = sub.add_parser("predict", help="tag statements given as arguments or in a file")
    predict.add_argument("texts", nargs="*", metavar="TEXT", help="statements to tag")
    predict.add_argument(
        "--file", "-f", help=".txt (one statement per line), .csv or .jsonl with a `text` column"
    )
    _model_arg(predict)
    predict.add_argument("--format", choices=FORMATS, default="table")
    predict.add_argument(
        "--explain", action="store_true", help="add the n-grams that decided each label"
    )
    _output_args(predict, "n-grams shown with --explain")
    predict.add_argument("--chunk-size", type=int, default=2048, help=argparse.SUPPRESS)
    predict.add_argument(
        "--max-chars",
        type=int,
        default=MAX_CHARS,
        help=f"longest statement accepted, in characters (default {MAX_CHARS})",
    )
    predict.add_argument(
        "--truncate", action="store_true", help="cut longer statements to --max-chars instead"
    )
    _parallel_args(predict, "statements")

    evaluate = sub.add_parser("evaluate", help="score a model on labelled statements (text, label)")
    evaluate.add_argument(
        "--data",
        "-d",
        required=True,
        help="labelled .csv, .jsonl or .parquet, or a `datasets` save_to_disk folder",
    )
    _model_arg(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")

    analyze = sub.add_parser("analyze", help="tag every sentence of plain-text news articles")
    analyze.add_argument(
        "files",
        nargs="+",
        metavar="ARTICLE",
        help="UTF-8 plain-text articles (one paragraph per line), or folders of them (*.txt)",
    )
    _model_arg(analyze)
    analyze.add_argument("--format", choices=("table", "json", "html"), default="table")
    _output_args(analyze, "deciding n-grams per sentence")
    analyze.add_argument(
        "--max-chars",
        type=int,
        default=MAX_CHARS,
        help=f"longest sentence accepted, in characters (default {MAX_CHARS})",
    )
    analyze.add_argument(
        "--max-article-chars",
        type=int,
        default=MAX_ARTICLE_CHARS,
        help=f"longest article accepted, in characters (default {MAX_ARTICLE_CHARS})",
    )
    analyze.add_argument(
        "--truncate",
        action="store_true",
        help="cut longer articles and sentences to the limits instead of refusing them",
    )
    _parallel_args(analyze, "articles")

    promote = sub.add_parser("promote", help="make a training run's registered model the champion")
    promote.add_argument(
        "run", help="MLflow run id, or its first characters (as stance runs prints them)"
    )
    promote.add_argument("--alias", default="champion")
    promote.add_argument(
        "--name", default=None, help="registered model name (default: tracking.register_as)"
    )

    serve = sub.add_parser("serve", help="serve a registered model with MLflow's model server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5001)
    serve.add_argument(
        "--model-uri", default=None, help="default: models:/<tracking.register_as>@champion"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")

    server = sub.add_parser(
        "server", help="the team's MLflow tracking server: PostgreSQL, artifacts proxied"
    )
    server.add_argument(
        "--backend-store-uri",
        default=os.environ.get("MLFLOW_BACKEND_STORE_URI", ""),
        help="postgresql://USER:PASSWORD@HOST:5432/DB (default: $MLFLOW_BACKEND_STORE_URI)",
    )
    server.add_argument(
        "--artifacts-destination",
        default=None,
        help="a folder or an object-store URI (default: experiments/server-artifacts)",
    )
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=5000)
    server.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: 1 on 2 cores)"
    )
    server.add_argument(
        "--allowed-hosts",
        default=None,
        help="Host headers accepted beyond localhost and private IPs",
    )

    runs = sub.add_parser("runs", help="list an experiment's runs, best first, in the terminal")
    runs.add_argument(
        "ids", nargs="*", metavar="RUN", help="only these runs (ids or their first characters)"
    )
    runs.add_argument("--experiment", default=None, help="default: tracking.experiment")
    runs.add_argument(
        "--labels",
        default=None,
        help="only runs of this label set: a labels option (stance3) or names (a,b,c)",
    )
    runs.add_argument(
        "--sort", default="xdomain/macro_f1", help="metric to rank by (default xdomain/macro_f1)"
    )
    runs.add_argument("-n", type=int, default=20, help="how many runs (default 20)")
    runs.add_argument("--json", action="store_true", help="print the runs as JSON")

    ui = sub.add_parser("ui", help="open the MLflow UI over the tracking store")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=5000)
    ui.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: 1 on 2 cores)"
    )

    suggest = sub.add_parser(
        "suggest", help="pick the unlabeled statements the model is least sure about"
    )
    suggest.add_argument(
        "--pool", required=True, help=".txt, .csv or .jsonl of unlabeled statements"
    )
    suggest.add_argument("-n", type=int, default=50, help="how many to suggest (default 50)")
    _model_arg(suggest)
    suggest.add_argument("--out", "-o", help="CSV to write (atomically); default standard output")

    spark = sub.add_parser(
        "score-spark", help="score a text column of a Parquet or CSV dataset on Spark"
    )
    spark.add_argument("input", metavar="IN", help="Parquet file or folder, or CSV with a header")
    spark.add_argument(
        "output",
        metavar="OUT",
        help="folder Spark writes: the input's columns, label, confidence, p_<label> "
        "(Parquet; CSV with --out-format csv or a .csv name)",
    )
    _model_arg(spark)
    spark.add_argument("--text-column", default="text", help="column to score (default text)")
    spark.add_argument(
        "--master", default="local[*]", help="Spark master (default local[*]: every core here)"
    )
    spark.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default=None,
        help="IN's format (default: by extension; a folder is Parquet)",
    )
    spark.add_argument(
        "--out-format",
        choices=("parquet", "csv"),
        default=None,
        help="OUT's format (default: csv for a .csv name, else parquet)",
    )
    spark.add_argument(
        "--abstain",
        action="store_true",
        help="answer `uncertain` below the model's per-label thresholds",
    )

    for name, what in MAINTAINER.items():
        sub.add_parser(name, help=f"{what} (maintainers, in a source checkout)", add_help=False)
    return parser


def _count_and_validate(path: str, args=None) -> int:
    """A first pass over the file, so a bad line stops us before anything is printed."""
    from stance.io import iter_records

    total = 0
    for lineno, record in iter_records(path):
        if args is not None:
            _check_length(f"{path}:{lineno}", record["text"].strip(), args)
        total += 1
    if not total:
        raise StanceError(f"{path}: no statements to tag")
    return total


def _check_length(where: str, text: str, args) -> None:
    if len(text) > args.max_chars and not args.truncate:
        raise StanceError(
            f"{where}: statement of {len(text):,} characters, over --max-chars {args.max_chars:,} "
            "(pass --truncate to cut it)"
        )


def _batches(args) -> tuple[Iterator[list[dict]], int]:
    """Chunks of input records (``text`` and, from a file, its other columns), and their count."""
    from stance.io import read_records

    if args.file and args.texts:
        raise StanceError("give statements as arguments or --file, not both")
    if args.max_chars < 1:
        raise StanceError(f"--max-chars {args.max_chars}: must be at least 1")
    if args.file:
        total = _count_and_validate(args.file, args)
        chunks = read_records(args.file, args.chunk_size)
    else:
        texts = list(args.texts)
        if not texts and not sys.stdin.isatty():
            texts = [line.strip() for line in sys.stdin if line.strip()]
        if not texts:
            raise StanceError(
                "nothing to tag: give TEXT arguments, --file, or lines on standard input"
            )
        for i, text in enumerate(texts, 1):
            if not text.strip():
                raise StanceError(f"argument {i}: empty text")
            _check_length(f"argument {i}", text, args)
        total, chunks = len(texts), iter([[{"text": text} for text in texts]])
    if args.truncate:
        chunks = (
            [{**record, "text": record["text"][: args.max_chars]} for record in chunk]
            for chunk in chunks
        )
    return chunks, total


def cmd_predict(args) -> int:
    from collections import deque
    from itertools import chain

    from stance import load_model
    from stance.output import PredictionWriter
    from stance.parallel import jobs_from, ordered_map, tag_batch

    jobs = jobs_from(args.jobs)
    if args.out and args.file:
        _refuse_inputs_as_outputs([args.file], [Path(args.out)])
    batches, total = _batches(args)
    first = next(batches, [])
    # The other columns of the input (from its first record) travel with each row.
    inputs = [name for name in first[0] if name != "text"] if first else []
    batches = chain([first], batches) if first else batches
    model = load_model(args.model)
    labels = model.labels
    progress = _progress(args, total, "stmt") if total > args.chunk_size else None
    in_flight: deque[list[dict]] = deque()

    def tasks():
        for batch in batches:
            in_flight.append(batch)
            yield [record["text"] for record in batch], args.abstain, args.explain, args.k

    def emit(out: TextIO) -> None:
        writer = PredictionWriter(out, args.format, labels, args.explain, inputs)
        tagged = ordered_map(tag_batch, tasks(), jobs=jobs, model=model, model_arg=args.model)
        for rows in tagged:
            batch = in_flight.popleft()
            for record, row in zip(batch, rows, strict=True):
                writer.write(row, record)
            if progress is not None:
                progress.update(len(batch))
        writer.close()

    try:
        if args.out:
            from stance.io import atomic_path

            with atomic_path(args.out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
                emit(f)
        else:
            emit(sys.stdout)
    finally:
        if progress is not None:
            progress.close()
    return 0


def cmd_evaluate(args) -> int:
    from stance import load_model
    from stance.io import read_labeled
    from stance.metrics import confusion_text, score

    if not Path(args.data).exists():
        raise StanceError(f"{args.data}: no such file or folder")
    model = load_model(args.model)
    texts, gold = read_labeled(args.data, labels=model.labels)
    scores = score(gold, model.predict(texts), model.labels)
    if args.json:
        print(json.dumps({"data": str(args.data), "rows": len(texts), **scores}, indent=2))
        return 0
    print(f"{args.data}: {len(texts)} rows")
    print(f"macro-F1 {scores['macro_f1']:.3f}   accuracy {scores['accuracy']:.3f}\n")
    print(f"{'label':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
    for label, v in scores["per_label"].items():
        print(
            f"{label:<16}{v['precision']:>10.3f}{v['recall']:>10.3f}{v['f1']:>10.3f}{v['support']:>10}"
        )
    print("\n" + confusion_text(scores))
    return 0


def _analysis_table(analysis: dict) -> str:
    lines = [f"{'#':>3}  {'label':<13}{'conf':>5}  {'speaker':<22}sentence"]
    for s in analysis["sentences"]:
        text = s["text"] if len(s["text"]) <= 110 else s["text"][:107] + "..."
        lines.append(
            f"{s['index']:>3}  {s['label']:<13}{s['confidence']:>5.2f}  {(s['speaker'] or '-')[:21]:<22}{text}"
        )
    counts = analysis["summary"]["labels"]
    lines += [
        "",
        "per label:   "
        + "   ".join(
            f"{label} {counts.get(label, 0)}"
            for label in [*analysis["labels"], "uncertain"]
            if label in counts or label != "uncertain"
        ),
    ]
    if analysis["summary"]["speakers"]:
        lines.append("per speaker:")
        for name, by_label in sorted(
            analysis["summary"]["speakers"].items(), key=lambda item: -sum(item[1].values())
        ):
            lines.append(
                f"  {name[:30]:<31}"
                + ", ".join(
                    f"{label} {n}" for label, n in sorted(by_label.items(), key=lambda x: -x[1])
                )
            )
    return "\n".join(lines) + "\n"


def _render_analysis(analysis: dict, fmt: str, compact: bool = False) -> str:
    if fmt == "json":
        if compact:  # one article per line (JSON Lines) when a folder goes to standard output
            return json.dumps(analysis, ensure_ascii=False) + "\n"
        return json.dumps(analysis, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from stance.report import render_html

        return render_html(analysis)
    return _analysis_table(analysis)


def _articles(args) -> list[str]:
    """The article files named, a folder standing for its ``*.txt`` in name order; each
    checked (missing, empty, too long) before the model loads."""
    from stance.article import read_article

    for name, value in (
        ("--max-chars", args.max_chars),
        ("--max-article-chars", args.max_article_chars),
    ):
        if value < 1:
            raise StanceError(f"{name} {value}: must be at least 1")
    articles: list[str] = []
    for given in args.files:
        source = Path(given)
        if source.is_dir():
            found = sorted(str(p) for p in source.glob("*.txt") if not p.name.startswith("."))
            if not found:
                raise StanceError(f"{source}: no .txt articles in this folder")
            articles += found
        else:
            articles.append(given)
    for path in articles:
        text = read_article(path)
        if len(text) > args.max_article_chars and not args.truncate:
            raise StanceError(
                f"{path}: article of {len(text):,} characters, over --max-article-chars "
                f"{args.max_article_chars:,} (pass --truncate to cut it)"
            )
    return articles


# Names that say "a file": refused as the folder several analyses are written into.
_FILE_SUFFIXES = (".html", ".htm", ".json", ".jsonl", ".txt", ".csv", ".md")


def _analysis_outputs(args, articles: list[str]) -> list[Path] | None:
    """Where each analysis goes with ``--out`` (None: standard output). One article writes the
    file ``--out`` names; several write one file each into the folder ``--out`` names. No
    output may be an input."""
    extension = {"json": ".json", "html": ".html", "table": ".txt"}[args.format]
    several = len(articles) > 1 or any(Path(f).is_dir() for f in args.files)
    if not args.out:
        if several and args.format == "html":
            raise StanceError("--format html over several articles needs --out FOLDER")
        return None
    out = Path(args.out)
    if several:
        if out.is_file() or (not out.exists() and out.suffix.lower() in _FILE_SUFFIXES):
            raise StanceError(
                f"--out {args.out}: names a file, but {len(articles)} articles write one file "
                "each: give a folder"
            )
        targets = [out / (Path(path).stem + extension) for path in articles]
        stems = [t.name for t in targets]
        if len(set(stems)) < len(stems):
            twice = next(name for name in stems if stems.count(name) > 1)
            raise StanceError(f"--out {args.out}: two articles would both write {twice}")
    else:
        if out.is_dir():
            raise StanceError(f"--out {args.out}: a folder; one article writes one file")
        targets = [out]
    _refuse_inputs_as_outputs(articles, targets)
    return targets


def _refuse_inputs_as_outputs(inputs: list[str], outputs: list[Path]) -> None:
    """An output that is an input (after links are resolved) would overwrite it."""
    resolved = {Path(path).resolve(): path for path in inputs}
    for target in outputs:
        if target.resolve() in resolved:
            raise StanceError(
                f"--out {target}: is the input {resolved[target.resolve()]}; "
                "writing it would overwrite the input"
            )


def cmd_analyze(args) -> int:
    from stance import load_model
    from stance.io import write_text_atomic
    from stance.parallel import analyze_article, jobs_from, ordered_map

    jobs = jobs_from(args.jobs)
    articles = _articles(args)
    targets = _analysis_outputs(args, articles)
    model = load_model(args.model)
    model_name = str(args.model or "experiments/models/latest")
    progress = _progress(args, len(articles), "article") if len(articles) > 1 else None
    limits = (args.max_chars, args.max_article_chars, args.truncate)
    analyses = ordered_map(
        analyze_article,
        ((path, args.abstain, args.k, *limits) for path in articles),
        jobs=jobs,
        model=model,
        model_arg=args.model,
    )
    try:
        for i, (path, found) in enumerate(zip(articles, analyses, strict=True)):
            analysis = {"source": found.pop("source"), "model": model_name, **found}
            if targets is not None:
                write_text_atomic(targets[i], _render_analysis(analysis, args.format))
                if len(articles) == 1:
                    print(f"wrote {targets[i]}", file=sys.stderr)
            elif len(articles) == 1:
                sys.stdout.write(_render_analysis(analysis, args.format))
            else:
                header = "" if args.format == "json" else f"== {path} ==\n"
                sys.stdout.write(header + _render_analysis(analysis, args.format, compact=True))
                sys.stdout.flush()
            if progress is not None:
                progress.update(1)
    finally:
        if progress is not None:
            progress.close()
    if targets is not None and len(articles) > 1:
        print(f"wrote {len(articles)} analyses to {args.out}", file=sys.stderr)
    return 0


def cmd_promote(args) -> int:
    from stance import tracking
    from stance.config import defaults

    name = args.name or defaults().register_as
    new, replaced = tracking.promote(args.run, args.alias, name)
    was = (
        f"replaced v{replaced}"
        if replaced and replaced != new
        else ("unchanged" if replaced else "no previous one")
    )
    print(f"{name} v{new} is now @{args.alias} ({was})")
    return 0


def cmd_runs(args) -> int:
    from stance import tracking

    found = tracking.list_runs(args.experiment, args.sort, args.n, args.ids or None, args.labels)
    if args.json:
        differing = tracking.differing_params(found)
        rows = [
            {**run, "differing_params": {k: run["params"].get(k) for k in differing}}
            for run in found
        ]
        print(json.dumps(rows, indent=2))
        return 0
    print("\n".join(tracking.runs_table(found, args.sort)) if found else "(no runs)")
    return 0


def cmd_serve(args) -> int:
    from stance import tracking

    tracking.serve(args.host, args.port, args.model_uri, args.workers)
    return 0


def cmd_server(args) -> int:
    from stance import tracking
    from stance.config import defaults

    artifacts = args.artifacts_destination or str(defaults().models.parent / "server-artifacts")
    tracking.server(
        args.backend_store_uri, artifacts, args.host, args.port, args.workers, args.allowed_hosts
    )
    return 0


def cmd_ui(args) -> int:
    from stance import tracking

    tracking.ui(args.host, args.port, args.workers)
    return 0


def cmd_suggest(args) -> int:
    import io

    from stance import load_model
    from stance.active import least_certain
    from stance.article import split_paragraphs
    from stance.io import read_texts

    if args.n < 1:
        raise StanceError(f"-n must be at least 1, got {args.n}")
    _count_and_validate(args.pool)
    model = load_model(args.model)
    # A paragraph is split into its sentences as `stance analyze` splits them: a label is
    # for one statement.
    sentences = (
        [s for text in chunk for paragraph in split_paragraphs(text) for s in paragraph]
        for chunk in read_texts(args.pool)
    )
    chosen, seen = least_certain(model, sentences, args.n)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "predicted", "confidence", "margin", "label"])
    for s in chosen:
        writer.writerow([s.text, s.predicted, f"{s.confidence:.4f}", f"{s.margin:.4f}", ""])
    if args.out:
        from stance.io import write_text_atomic

        write_text_atomic(args.out, buffer.getvalue())
        print(f"wrote {len(chosen)} of {seen} statements to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return 0


def cmd_score_spark(args) -> int:
    from stance.spark import score_file

    report = score_file(
        args.input,
        args.output,
        args.model,
        text_column=args.text_column,
        master=args.master,
        in_format=args.format,
        out_format=args.out_format,
        abstain=args.abstain,
    )
    rate = report.rows / report.seconds if report.seconds else float("inf")
    print(
        f"wrote {report.rows:,} rows to {report.target} in {report.seconds:.1f} s "
        f"({rate:,.0f} rows/s); columns: {', '.join(report.columns)}",
        file=sys.stderr,
    )
    return 0


COMMANDS = {
    "predict": cmd_predict,
    "evaluate": cmd_evaluate,
    "analyze": cmd_analyze,
    "promote": cmd_promote,
    "runs": cmd_runs,
    "serve": cmd_serve,
    "server": cmd_server,
    "ui": cmd_ui,
    "suggest": cmd_suggest,
    "score-spark": cmd_score_spark,
}
MAINTAINER = {"corpus": "build the corpus splits and statistics", "bench": "run the benchmark"}


def _passthrough(command: str, rest: list[str]) -> int:
    """Commands that own their arguments: training (Hydra parses them) and maintainer tools."""
    if command == "train":
        from stance.train import main as train_main

        sys.argv = ["stance train", *rest]
        train_main()
        return 0
    try:
        from importlib import import_module

        tool = import_module(f"stance.maintainer.{command}")
    except ModuleNotFoundError:
        print(f"stance {command}: only available in a source checkout", file=sys.stderr)
        return 2
    return tool.main(rest)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and (argv[0] == "train" or argv[0] in MAINTAINER):
        return _passthrough(argv[0], argv[1:])
    args = build_parser().parse_args(argv)
    # A `kill` stops a run as Ctrl-C does, so the `finally` blocks that remove temp files run.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return COMMANDS[args.command](args)
    except StanceError as err:
        print(f"stance {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `stance predict … | head`
        return 0
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM below: temp files are already removed
        out = getattr(args, "out", None)
        print(
            f"stance {args.command}: interrupted" + (f"; {out} left as it was" if out else ""),
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
