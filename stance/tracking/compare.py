"""Comparing runs: the figures that matter as columns, the sweep's table, `stance runs`.

Runs are compared only with runs of the same label set: a 3-label run's macro-F1 is not
comparable with a 4-label run's.
"""

from __future__ import annotations

import re
from typing import Any

from stance.config import CHOICE_GROUPS
from stance.metrics import metric_key, metric_keys
from stance.tracking.store import connect, default_uri, retry
from stance.tracking.view import CELL, summary_columns

WIDTH = 120
# What names a run's label set when it has no `stance.labels` tag (runs before it existed).
_LABEL_PARAMS = ("labels.names", "labels.drop")


def metric_cells(metrics: dict[str, float], columns: list[tuple[str, str]]) -> str:
    metrics = metric_keys(metrics)
    return "".join(
        f"{metrics[key]:>{CELL}.3f}" if key in metrics else f"{'-':>{CELL}}" for key, _ in columns
    )


def column_titles(columns: list[tuple[str, str]]) -> str:
    return "".join(f"{title:>{CELL}}" for _, title in columns)


def sweep_table(runs, select_by: str, best_run_id: str | None) -> str:
    """One line per job: number, the metrics that matter, its overrides; the best marked *."""
    columns = summary_columns(select_by)
    lines = ["job " + column_titles(columns) + "  overrides"]
    for run in runs:
        mark = "*" if run.info.run_id == best_run_id else " "
        cells = metric_cells(run.data.metrics, columns)
        job = run.data.tags.get("stance.sweep_job", "?")
        overrides = run.data.tags.get("stance.sweep_overrides", "")
        status = "" if run.info.status == "FINISHED" else f"  [{run.info.status}]"
        lines.append(f"{job:>3}{mark}{cells}  {overrides}{status}")
    return "\n".join(lines)


def label_set(tags: dict[str, str], params: dict[str, str]) -> str:
    """The labels a run was trained and scored on, comma-separated, in its order."""
    if tags.get("stance.labels"):
        return tags["stance.labels"]
    names = re.findall(r"[\w-]+", params.get(_LABEL_PARAMS[0], ""))
    drop = set(re.findall(r"[\w-]+", params.get(_LABEL_PARAMS[1], "")))
    return ",".join(n for n in names if n not in drop) or "?"


def label_names(option: str) -> str:
    """``stance3`` (a `conf/labels` option) or ``a,b,c`` as the comma-separated label set."""
    from omegaconf import OmegaConf

    from stance import StanceError
    from stance.config import config_dir

    if "," in option:
        return ",".join(n.strip() for n in option.split(","))
    path = config_dir() / "labels" / f"{option}.yaml"
    if not path.is_file():
        options = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise StanceError(f"--labels {option}: no such label set (options: {', '.join(options)})")
    found = OmegaConf.load(path)
    return ",".join(n for n in found.names if n not in set(found.get("drop", [])))


def list_runs(
    experiment: str | None = None,
    sort_by: str = "xdomain/macro_f1",
    limit: int = 20,
    run_ids: list[str] | None = None,
    labels: str | None = None,
) -> list[dict[str, Any]]:
    """The training runs of an experiment (sweep parents left out), best ``sort_by`` first
    (runs without it last): id, name, status, start, metrics (under today's keys), params,
    label set, registry versions. ``run_ids`` (ids or unique prefixes) keeps only those runs,
    ``labels`` (a `conf/labels` option or comma-separated names) only that label set. Runs
    whose process died are marked KILLED first."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from stance import StanceError
    from stance.config import defaults
    from stance.tracking.runs import end_dead_runs

    settings = defaults()
    experiment = experiment or settings.experiment
    connect(default_uri())
    client = MlflowClient()
    found = retry(client.get_experiment_by_name, experiment)
    if found is None:
        raise StanceError(f"no experiment {experiment!r} in {default_uri()}")
    end_dead_runs(client, [found.experiment_id])
    runs = [
        r
        for r in retry(client.search_runs, [found.experiment_id], max_results=5000)
        if r.data.tags.get("stance.sweep") != "true"
    ]
    if run_ids is not None:
        from stance.tracking.registry import resolve_run_id

        wanted = {resolve_run_id(client, text) for text in run_ids}
        runs = [r for r in runs if r.info.run_id in wanted]
    if labels is not None:
        wanted_labels = label_names(labels)
        runs = [r for r in runs if label_set(r.data.tags, r.data.params) == wanted_labels]
    sort_by = metric_key(sort_by)
    metrics = {r.info.run_id: metric_keys(dict(r.data.metrics)) for r in runs}
    runs.sort(
        key=lambda r: (
            sort_by not in metrics[r.info.run_id],
            -metrics[r.info.run_id].get(sort_by, 0.0),
        )
    )
    versions: dict[str, list[str]] = {}
    try:
        registered = client.search_model_versions(f"name='{settings.register_as}'")
        aliases = client.get_registered_model(settings.register_as).aliases if registered else {}
    except MlflowException:  # no registry behind this store, or no such model: nothing to show
        registered, aliases = [], {}
    for version in sorted(registered, key=lambda v: int(v.version)):
        tags = [f"@{a}" for a, v in sorted(aliases.items()) if str(v) == str(version.version)]
        versions.setdefault(version.run_id, []).extend([f"v{version.version}", *tags])
    return [
        {
            "run_id": r.info.run_id,
            "name": r.info.run_name,
            "status": r.info.status,
            "start_time": r.info.start_time,
            "labels": label_set(r.data.tags, r.data.params),
            "metrics": metrics[r.info.run_id],
            "params": dict(r.data.params),
            "registry": " ".join(versions.get(r.info.run_id, [])),
        }
        for r in runs[:limit]
    ]


def differing_params(runs: list[dict[str, Any]]) -> list[str]:
    """The params that differ between ``runs``, a whole config group as one key when the
    group's choice differs (``choice.features``, not the 40 keys under ``features.``)."""
    keys = sorted({k for run in runs for k in run["params"]})
    differ = [k for k in keys if len({run["params"].get(k) for run in runs}) > 1]
    whole = {k.removeprefix("choice.") for k in differ if k.startswith("choice.")}
    return [
        k
        for k in differ
        if k.startswith("choice.") or k.split(".", 1)[0] not in whole and k != "labels.names"
    ]


def usual_values(runs: list[dict[str, Any]], keys: list[str]) -> dict[str, str]:
    """For each key, the value more than half of ``runs`` share, if one does."""
    from collections import Counter

    usual = {}
    for key in keys:
        value, count = Counter(str(run["params"].get(key, "-")) for run in runs).most_common(1)[0]
        if count > len(runs) / 2:
            usual[key] = value
    return usual


def short_params(
    run: dict[str, Any], keys: list[str], skip_in: str = "", usual: dict[str, str] | None = None
) -> str:
    """``features=word_char C=3``: a group's choice under the group's name, other keys by
    their last part where that is unambiguous; a value most runs share (``usual``), a pair
    already readable in ``skip_in`` (the run's name, which holds its overrides) and an unset
    choice are left out."""
    last = [k.rsplit(".", 1)[-1] for k in keys]
    parts = []
    for key, tail in zip(keys, last, strict=True):
        value = str(run["params"].get(key, "-"))
        if usual is not None and usual.get(key) == value:
            continue
        if key.startswith("choice."):
            name = key.removeprefix("choice.")
        else:
            name = tail if last.count(tail) == 1 and tail not in CHOICE_GROUPS else key
        named = f"{name}={value}" if not key.startswith("choice.") else value
        if value == "-" and key.startswith("choice.") or named in skip_in.split("-"):
            continue
        value = value if len(value) <= 18 else value[:17] + "…"
        parts.append(f"{name}={value}")
    return " ".join(parts)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def runs_table(runs: list[dict[str, Any]], sort_by: str, width: int = WIDTH) -> list[str]:
    """`stance runs`: one section per label set (never ranked together), one line per run of
    at most ``width`` characters: id, status, the figures that matter, version and aliases,
    name, and what sets the run apart from the others of its section."""
    columns = summary_columns(sort_by)
    sort_by = metric_key(sort_by)
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(run["labels"], []).append(run)
    registry_width = max([len(r["registry"]) for r in runs] + [7])
    lines: list[str] = []
    for labels, members in sorted(groups.items(), key=lambda g: -g[0].count(",")):
        if lines:
            lines.append("")
        count = f"{len(members)} run{'s' if len(members) != 1 else ''}"
        lines.append(
            _fit(f"labels {labels.replace(',', ', ')}: {count}, best {sort_by} first", width)
        )
        head = (
            f"{'run':<10}{'status':<9}{column_titles(columns)}  {'version':<{registry_width}}  name"
        )
        lines.append(_fit(head + "  [where it differs from most]", width))
        differ = differing_params(members)
        usual = usual_values(members, differ)
        for run in members:
            cells = metric_cells(run["metrics"], columns)
            start = f"{run['run_id'][:8]:<10}{run['status'][:8]:<9}{cells}  {run['registry']:<{registry_width}}  "
            name = run["name"] or ""
            params = short_params(run, differ, skip_in=run["name"] or "", usual=usual)
            room = width - len(start)
            if len(name) >= room:
                lines.append(start + _fit(name, room))
            elif params:
                lines.append(start + name + _fit(f"  [{params}]", room - len(name)))
            else:
                lines.append(start + name)
    return lines
