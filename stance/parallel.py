"""Work spread over processes with answers in input order: `stance predict --jobs` and
`stance analyze --jobs`.

Each worker loads the model once; at most two tasks per worker are in flight, so a file of
any size streams through in bounded memory. Workers ignore Ctrl-C: the parent alone stops,
cancels what is queued and leaves its temp files to be removed by `stance.io.atomic_path`.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_model = None  # the model of this process: set by `ordered_map`, or in a worker by `_start`


def jobs_from(value: int) -> int:
    """``--jobs``: a positive count, or -1 for every core."""
    from stance import StanceError

    if value == -1:
        return os.cpu_count() or 1
    if value < 1:
        raise StanceError(f"--jobs {value}: give a number of processes >= 1, or -1 for all cores")
    return value


def end_with_parent(parent_pid: int, every: float = 0.5) -> None:
    """In a worker process: exit as soon as ``parent_pid`` is gone. A parent killed with
    SIGKILL cannot stop its workers, and idle loky or multiprocessing workers would live on
    for minutes holding their memory; this thread notices the parent's death (the worker is
    handed to another parent) within ``every`` seconds."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="stance-end-with-parent", daemon=True).start()


def worker_backend(idle_seconds: int = 10):
    """joblib's loky backend whose workers end with this process (`end_with_parent`) and
    leave after ``idle_seconds`` idle instead of five minutes."""
    from joblib._parallel_backends import LokyBackend

    return LokyBackend(
        initializer=end_with_parent,
        initargs=(os.getpid(),),
        idle_worker_timeout=idle_seconds,
    )


def _start(model_arg: str | None, parent_pid: int) -> None:
    import signal

    from threadpoolctl import threadpool_limits

    from stance import load_model

    global _model
    end_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)  # one process per core, not one BLAS pool per process per core
    _model = load_model(model_arg)


def tag_batch(texts: list[str], abstain: bool, explain: bool, k: int) -> list[dict[str, Any]]:
    rows = _model.tag(texts, abstain=abstain)
    if explain:
        for row in rows:
            row["explanation"] = [[g, w] for g, w in _model.explain(row["text"], k=k)]
    return rows


def analyze_article(
    path: str,
    abstain: bool,
    k: int,
    max_chars: int | None = None,
    max_article_chars: int | None = None,
    truncate: bool = False,
) -> dict[str, Any]:
    from stance.article import analyze, read_article

    text = read_article(path)
    if max_article_chars is not None and truncate:
        text = text[:max_article_chars]
    found = analyze(
        _model, text, abstain=abstain, k=k, max_chars=max_chars, truncate=truncate, source=path
    )
    return {"source": str(path), **found}


def ordered_map(
    task: Callable[..., Any],
    arguments: Iterable[tuple],
    *,
    jobs: int,
    model,
    model_arg: str | None,
) -> Iterator[Any]:
    """``task(*args)`` for each tuple of ``arguments``, in their order, on ``jobs`` processes
    (in this one, with ``model``, when ``jobs`` is 1; workers load ``model_arg``)."""
    global _model
    if jobs == 1:
        _model = model
        yield from (task(*args) for args in arguments)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(model_arg, os.getpid()),
    )
    pending: deque = deque()
    try:
        for args in arguments:
            pending.append(pool.submit(task, *args))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=not pending, cancel_futures=True)
