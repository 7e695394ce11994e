"""Everything a run measures, as one typed result: the splits, calibration and abstention,
leave-one-domain-out, the contrast rows, and the files never trained on (seeds, wire)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stance.metrics import flat, score, stance_macro_f1

EVALUATED = ("validation", "test")
HELDOUT_FILES = ("seeds", "wire")


@dataclass
class Evaluation:
    """What `evaluate` found; ``metrics()`` flattens it for MLflow and `model.json`."""

    labels: list[str]
    proba: dict[str, np.ndarray]
    predicted: dict[str, list[str]]
    scores: dict[str, dict[str, Any]]
    ece: dict[str, dict[str, float]]
    thresholds: dict[str, float]
    abstained: dict[str, dict[str, float]]
    cross_domain: dict[str, Any] | None = None
    contrast: dict[str, Any] | None = None
    heldout: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The article register: the article rows of validation, and the blind article test set.
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the config asked for but this run could not compute, and why (tagged on the run).
    skipped: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for split, values in self.scores.items():
            out.update(flat(values, split))
        for split, ece in self.ece.items():
            out.update({f"{split}/ece_{label}": v for label, v in ece.items()})
            out[f"{split}/ece_mean"] = sum(ece.values()) / len(ece)
        out.update({f"abstain/threshold_{label}": t for label, t in self.thresholds.items()})
        for split, chosen in self.abstained.items():
            out[f"abstain/coverage_{split}"] = chosen["coverage"]
            out[f"abstain/accuracy_{split}"] = chosen["accuracy"]
        if self.cross_domain:
            out["xdomain/macro_f1"] = self.cross_domain["mean"]
            out.update({f"xdomain/f1_{d}": v for d, v in self.cross_domain["per_domain"].items()})
            for key, value in self.cross_domain.get("articles", {}).items():
                out[f"xdomain/articles_{key}"] = value
        if self.contrast:
            out["contrast/macro_f1"] = self.contrast["macro_f1"]
            out["contrast/rows"] = float(self.contrast["rows"])
        for name, found in self.heldout.items():
            out[f"{name}/macro_f1"] = found["stance_macro_f1"]
            out[f"{name}/macro_f1_4"] = found["macro_f1"]
            out[f"{name}/accuracy"] = found["accuracy"]
        for name, found in self.articles.items():
            # validation/articles_macro_f1_4, …; articles/macro_f1_4, … for the test set
            prefix = "articles/" if name == "articles" else f"{name}/articles_"
            out.update({f"{prefix}{key}": value for key, value in found["figures"].items()})
        return out


def evaluate(model, corpus, cfg, fresh_pipeline: Callable[[], Any]) -> Evaluation:
    """Score ``model`` on validation and test, choose abstention thresholds on validation,
    and compute the out-of-distribution figures ``cfg.evaluation`` asks for.

    ``fresh_pipeline`` builds an unfitted copy of the pipeline for leave-one-domain-out.
    """
    from stance.calibration import abstention, choose_thresholds, per_label_ece

    labels = model.labels
    proba = {split: model.predict_proba(corpus[split].texts) for split in EVALUATED}
    predicted = {split: [labels[i] for i in p.argmax(axis=1)] for split, p in proba.items()}
    gold = {split: corpus[split].labels for split in EVALUATED}
    thresholds = choose_thresholds(
        gold["validation"], proba["validation"], labels, cfg.abstention.target_precision
    )
    result = Evaluation(
        labels=labels,
        proba=proba,
        predicted=predicted,
        scores={s: score(gold[s], predicted[s], corpus.labels) for s in EVALUATED},
        ece={s: per_label_ece(gold[s], proba[s], labels) for s in EVALUATED},
        thresholds=thresholds,
        abstained={s: abstention(gold[s], proba[s], labels, thresholds) for s in EVALUATED},
        contrast=contrast_scores(
            [t for s in EVALUATED for t in corpus[s].texts],
            [y for s in EVALUATED for y in gold[s]],
            [p for s in EVALUATED for p in predicted[s]],
            corpus.labels,
        ),
    )
    if cfg.evaluation.cross_domain and corpus["train"].streamed:
        result.skipped["cross_domain"] = (
            "the training split is streamed (data.streaming) and leave-one-domain-out refits "
            "in memory; set evaluation.cross_domain=false"
        )
    elif cfg.evaluation.cross_domain:
        result.cross_domain = cross_domain(fresh_pipeline(), corpus, cfg.evaluation.n_jobs) or None
    for name in HELDOUT_FILES:
        path = cfg.evaluation.get(name)
        found = heldout_scores(model, path, corpus.labels) if path else None
        if found:
            result.heldout[name] = found
    validation = corpus["validation"]
    in_articles = [i for i, a in enumerate(validation.article_ids) if a]
    if in_articles and "neutral" in labels:
        # Scored as `stance analyze` reads them: each sentence at its place in its article.
        result.articles["validation"] = article_figures(
            [gold["validation"][i] for i in in_articles],
            model.predict_proba(
                [validation.texts[i] for i in in_articles],
                [validation.positions[i] for i in in_articles],
            ),
            labels,
        )
    folder = cfg.evaluation.get("articles")
    found = article_scores(model, folder, corpus.labels) if folder else None
    if found:
        result.articles["articles"] = found
    return result


def article_figures(gold: list[str], proba: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """The figures of the article register: macro-F1 over all labels and over the stance
    labels, accuracy, neutral's precision (how often a sentence called neutral is), the ECE of
    the top label's confidence and the mean per-label ECE."""
    from stance.calibration import expected_calibration_error, per_label_ece

    predicted = [labels[i] for i in proba.argmax(axis=1)]
    scores = score(gold, predicted, labels)
    hits = np.asarray(gold) == np.asarray(predicted)
    ece = per_label_ece(gold, proba, labels)
    figures = {
        "rows": float(len(gold)),
        "macro_f1_4": scores["macro_f1"],
        "macro_f1": stance_macro_f1(scores),
        "accuracy": scores["accuracy"],
        "neutral_precision": scores["per_label"]["neutral"]["precision"],
        "ece": expected_calibration_error(hits, proba.max(axis=1)),
        "ece_mean": sum(ece.values()) / len(ece),
    }
    return {"scores": scores, "predicted": predicted, "figures": figures}


def article_scores(model, folder: str | Path, labels: list[str]) -> dict[str, Any] | None:
    """`article_figures` on the blind article test set (a folder of article CSVs, every
    sentence of each article in order), and the share of sentences whose speaker
    `stance analyze` names as the annotators did. None if there is no such folder."""
    from stance.article import read_article_rows, same_speaker, speakers

    folder = Path(folder)
    if not folder.is_dir() or not any(folder.glob("*.csv")):
        return None
    articles = read_article_rows(folder)
    rows = [r for article in articles for r in article if r["label"] in labels]
    if "neutral" not in labels or not rows:
        return None
    proba = model.predict_proba([r["text"] for r in rows], [int(r["position"]) for r in rows])
    # The columns of ``proba`` are in the model's order of labels, not the config's.
    found = article_figures([r["label"] for r in rows], proba, model.labels)
    named = [
        same_speaker(found_speaker, row["speaker"])
        for article in articles
        for row, found_speaker in zip(article, speakers([r["text"] for r in article]), strict=True)
    ]
    found["figures"]["speaker_accuracy"] = sum(named) / len(named)
    return found


def _held_out(pipeline, train_rows, rows, domain: str, labels: list[str]):
    from sklearn.base import clone

    from stance.model import takes_positions

    keep = [(t, y, p) for t, y, d, _, p in train_rows if d != domain]
    texts, gold = [t for t, _, _ in keep], [y for _, y, _ in keep]
    # The article register learns from, and reads, each sentence's place in its article.
    where = takes_positions(pipeline)
    fit_params = {f"{pipeline.steps[-1][0]}__positions": [p for *_, p in keep]} if where else {}
    model = clone(pipeline).fit(texts, gold, **fit_params)
    held = [(t, y, a, p) for t, y, d, a, p in rows if d == domain]
    texts, gold = [t for t, *_ in held], [y for _, y, *_ in held]
    proba = (
        model.predict_proba(texts, positions=[p for *_, p in held])
        if where
        else model.predict_proba(texts)
    )
    # Columns in the order of ``labels`` (the classifier's own order is sorted).
    proba = proba[:, [list(model.classes_).index(label) for label in labels]]
    predicted = [labels[i] for i in proba.argmax(axis=1)]
    in_article = [bool(a) for _, _, a, _ in held]
    macro_f1 = score(gold, predicted, labels)["macro_f1"]
    return domain, macro_f1, texts, gold, predicted, proba, in_article


def cross_domain(pipeline, corpus, n_jobs: int = -1) -> dict[str, Any]:
    """For each domain, fit a fresh copy on the other domains' training rows and score it on
    every row of the held-out domain (it saw none of them). Domains run in parallel."""
    from joblib import Parallel, delayed

    from stance.parallel import worker_backend

    train = corpus["train"]
    if len(set(train.domains)) < 2:
        return {}

    def rows_of(split):
        columns = (split.texts, split.labels, split.domains, split.article_ids, split.positions)
        return list(zip(*columns, strict=True))

    train_rows = rows_of(train)
    rows = [row for split in corpus.splits.values() for row in rows_of(split)]
    results = Parallel(n_jobs=n_jobs, backend=worker_backend())(
        delayed(_held_out)(pipeline, train_rows, rows, domain, corpus.labels)
        for domain in sorted(set(train.domains))
    )
    per_domain: dict[str, float] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], str] = {}
    article_gold, article_proba = [], []
    for domain, macro_f1, texts, gold, predicted, proba, in_article in results:
        per_domain[domain] = macro_f1
        article_gold += [g for g, a in zip(gold, in_article, strict=True) if a]
        article_proba += [p for p, a in zip(proba, in_article, strict=True) if a]
        for text, g, p in zip(texts, gold, predicted, strict=True):
            if g != p:
                confusions[(g, p)] += 1
                examples.setdefault((g, p), text)
    total_errors = sum(confusions.values()) or 1
    top = [
        {
            "gold": g,
            "predicted": p,
            "count": n,
            "share_of_errors": round(n / total_errors, 3),
            "example": examples[(g, p)],
        }
        for (g, p), n in confusions.most_common(10)
    ]
    found = {
        "per_domain": per_domain,
        "mean": sum(per_domain.values()) / len(per_domain),
        "top_confusions": top,
    }
    if article_gold and "neutral" in corpus.labels:
        # Every article row of every split, each scored by a model that saw no row of its
        # domain: the article register measured on all of it, not one split's sample.
        pooled = article_figures(article_gold, np.asarray(article_proba), corpus.labels)
        found["articles"] = pooled["figures"]
    return found


def heldout_scores(model, path: str | Path, labels: list[str]) -> dict[str, Any] | None:
    """Scores on a labelled file that is never trained on (the seed statements, the wire
    test set); rows whose label is outside ``labels`` are dropped. None if there is no file."""
    from stance.io import iter_records

    path = Path(path)
    if not path.is_file():
        return None
    if path.suffix.lower() in (".csv", ".jsonl"):
        records = [r for _, r in iter_records(path, require=("text", "label"))]
    else:  # Parquet or a `datasets` folder
        from stance.io import read_labeled

        records = [{"text": t, "label": y} for t, y in zip(*read_labeled(path), strict=True)]
    kept = [r for r in records if r["label"].strip() in labels]
    texts, gold = [r["text"].strip() for r in kept], [r["label"].strip() for r in kept]
    # Sentences of whole articles (the seed statements) are read at their place in them.
    positions = [int(r["position"]) for r in kept] if kept and "position" in kept[0] else None
    scores = score(gold, model.predict(texts, positions), labels)
    return {"rows": len(texts), **scores, "stance_macro_f1": stance_macro_f1(scores)}


def contrast_scores(texts, gold, predicted, labels: list[str]) -> dict[str, Any] | None:
    """Scores on the contrast rows only (`stance.lexicon.is_contrast`): where the act verb
    has to outweigh the nouns around it."""
    from stance.lexicon import is_contrast

    rows = [(g, p) for t, g, p in zip(texts, gold, predicted, strict=True) if is_contrast(t, g)]
    if not rows:
        return None
    scores = score([g for g, _ in rows], [p for _, p in rows], labels)
    return {"rows": len(rows), **scores}
