"""A saved classifier that describes itself: ``model.joblib`` plus ``model.json`` beside it."""

from __future__ import annotations

import contextlib
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from stance import StanceError, __version__
from stance.io import atomic_path, sha256_file, write_text_atomic

MODEL_FILE = "model.joblib"
UNCERTAIN = "uncertain"
META_FILE = "model.json"


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "stance": __version__}
    for name in ("scikit-learn", "numpy", "scipy", "joblib", "mlflow", "datasets", "hydra-core"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def takes_positions(pipeline) -> bool:
    """Does the pipeline's classifier read where each sentence stands in an article?"""
    return hasattr(pipeline[-1], "shift")


def _class_weights(clf) -> np.ndarray | None:
    """Per-class weight of each feature, (n_classes, n_features), for linear models."""
    if hasattr(clf, "priors_"):  # the article register: the classifier it wraps
        return _class_weights(clf.estimator_)
    if hasattr(clf, "calibrated_classifiers_"):
        parts = [_class_weights(c.estimator) for c in clf.calibrated_classifiers_]
        parts = [p for p in parts if p is not None]
        return np.mean(parts, axis=0) if parts else None
    if hasattr(clf, "coef_"):
        coef = np.asarray(clf.coef_)
        return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef
    if hasattr(clf, "feature_log_prob_"):
        return np.asarray(clf.feature_log_prob_)
    return None


def _hashing_vectorizer(step):
    from sklearn.feature_extraction.text import HashingVectorizer

    if isinstance(step, HashingVectorizer):
        return step
    for _, sub in getattr(step, "steps", []):
        if isinstance(sub, HashingVectorizer):
            return sub
    return None


class StanceModel:
    """A fitted stance pipeline and what is known about it.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``prep`` (texts in), ``features``, ``clf``.
    meta : dict
        Labels, metrics, resolved config, data fingerprint, library versions, sha256.
    """

    def __init__(self, pipeline, meta: dict[str, Any] | None = None):
        self.pipeline = pipeline
        self.meta = dict(meta or {})
        self.labels: list[str] = [str(c) for c in pipeline.classes_]
        self._feature_names: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"StanceModel(labels={self.labels}, run_id={self.meta.get('run_id')!r})"

    def predict(self, texts, positions=None) -> list[str]:
        """The label of each text (see `predict_proba` for ``positions``)."""
        proba = self.predict_proba(texts, positions)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def predict_proba(self, texts, positions=None) -> np.ndarray:
        """Probabilities, one row per text, columns in the order of ``labels``.

        ``positions`` says where each text stands in its article (1 the headline, 2 the
        lede, then the body; 0 for a statement alone), for a model that reads the article
        register (`stance.register.ArticlePrior`); without it every text is a statement."""
        texts = _texts(texts)
        if positions is not None and takes_positions(self.pipeline):
            if len(positions) != len(texts):
                raise ValueError(f"{len(positions)} positions for {len(texts)} texts")
            return self.pipeline.predict_proba(texts, positions=list(positions))
        return self.pipeline.predict_proba(texts)

    def tag(self, texts, abstain: bool = False, positions=None) -> list[dict[str, Any]]:
        """Label, confidence and every label's probability for each text.

        With ``abstain``, a label whose probability is under its threshold (chosen on
        validation at training, see ``meta["thresholds"]``) becomes ``uncertain``.
        ``positions`` as for `predict_proba`.
        """
        texts = _texts(texts)
        thresholds = self.thresholds() if abstain else {}
        proba = self.predict_proba(texts, positions)
        out = []
        for text, row in zip(texts, proba, strict=True):
            best = int(np.argmax(row))
            label = self.labels[best]
            if abstain and row[best] < thresholds.get(label, 0.0):
                label = UNCERTAIN
            out.append(
                {
                    "text": text,
                    "label": label,
                    "confidence": float(row[best]),
                    "probabilities": {
                        label: round(float(p), 4) for label, p in zip(self.labels, row, strict=True)
                    },
                }
            )
        return out

    def thresholds(self) -> dict[str, float]:
        """Per-label minimum probability for an answer; empty if the model has none."""
        found = self.meta.get("thresholds")
        if not found:
            raise StanceError(
                "this model has no abstention thresholds (retrain it with a current stance)"
            )
        return {label: float(value) for label, value in found.items()}

    def explain(
        self, text: str, k: int = 5, label: str | None = None, position: int | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` n-grams of ``text`` that pushed it most toward ``label`` (default: the predicted one).

        A weight is the n-gram's TF-IDF value times how much more the model weighs it for
        ``label`` than for the other labels on average; larger pushes harder. With the
        sentence's ``position`` in an article, its place (``(headline)``, ``(lede)``,
        ``(body)``) is one more entry, weighted by the log-ratio the article register adds.
        """
        positions = None if position is None else [position]
        return self.explain_many([text], k, None if label is None else [label], positions)[0]

    def explain_many(
        self,
        texts: list[str],
        k: int = 5,
        labels: list[str | None] | None = None,
        positions: list[int] | None = None,
    ) -> list[list[tuple[str, float]]]:
        """`explain` for many texts at once (one pass of the pipeline's steps over them all)."""
        clf = self.pipeline[-1]
        inner = getattr(clf, "estimator_", clf)
        predicted = self.predict(texts, positions)
        labels = [
            given or found for given, found in zip(labels or predicted, predicted, strict=True)
        ]
        unknown = [label for label in labels if label not in self.labels]
        if unknown:
            raise ValueError(f"unknown label {unknown[0]!r}; labels are {self.labels}")
        if hasattr(inner, "explain_text"):  # rules name their own cues
            prepped = self.pipeline[:-1].transform(texts)
            return [
                inner.explain_text(p, label)[:k] for p, label in zip(prepped, labels, strict=True)
            ]
        weights = _class_weights(clf)
        if weights is None:
            return [[] for _ in texts]
        prepped = self.pipeline[0].transform(texts)
        rows = self.pipeline[1:-1].transform(prepped).tocsr()
        out = []
        for i, label in enumerate(labels):
            c = self.labels.index(label)
            relative = weights[c] - np.delete(weights, c, axis=0).mean(axis=0)
            indices = rows.indices[rows.indptr[i] : rows.indptr[i + 1]]
            scores = rows.data[rows.indptr[i] : rows.indptr[i + 1]] * relative[indices]
            order = np.argsort(-scores)[:k]
            names = self._names_for(prepped[i], indices[order])
            found = [(names[n], float(scores[j])) for n, j in enumerate(order) if scores[j] > 0]
            position = positions[i] if positions is not None else None
            if position is not None and hasattr(clf, "shift"):
                from stance.register import place

                factor = np.log(clf.shift(position))
                pushed = float(factor[c] - np.delete(factor, c).mean())
                if pushed > 0 and place(position):
                    found.append((f"({place(position)})", pushed))
            found.sort(key=lambda pair: -pair[1])
            out.append([(name, round(weight, 4)) for name, weight in found[:k]])
        return out

    def top_ngrams(self, n: int = 20) -> dict[str, list[tuple[str, float]]]:
        """For each label, the ``n`` features the model weighs most for it over the others."""
        weights = _class_weights(self.pipeline[-1])
        if weights is None:
            return {}
        # Hashed columns have no names without the text that produced them.
        hashed = _hashing_vectorizer(self.pipeline[1:-1][-1]) is not None
        names = None if hashed else self._feature_names_out()
        out = {}
        for c, label in enumerate(self.labels):
            relative = weights[c] - np.delete(weights, c, axis=0).mean(axis=0)
            best = np.argsort(-relative)[:n]
            out[label] = [
                (str(names[i]) if names is not None else f"#{i}", round(float(relative[i]), 4))
                for i in best
            ]
        return out

    def _names_for(self, prepped_text: str, indices: np.ndarray) -> list[str]:
        features = self.pipeline[1:-1]
        hasher = _hashing_vectorizer(features[-1]) if len(features) == 1 else None
        if hasher is not None:
            from sklearn.utils import murmurhash3_32

            lookup = {}
            for gram in hasher.build_analyzer()(prepped_text):
                lookup.setdefault(abs(murmurhash3_32(gram, seed=0)) % hasher.n_features, gram)
            return [lookup.get(int(i), f"#{i}") for i in indices]
        names = self._feature_names_out()
        return [str(names[i]) for i in indices]

    def _feature_names_out(self) -> np.ndarray:
        """Column names of the features step without FeatureUnion prefixes, computed once."""
        if self._feature_names is None:
            names = self.pipeline[1:-1].get_feature_names_out()
            self._feature_names = np.asarray([n.rsplit("__", 1)[-1] for n in names], dtype=object)
        return self._feature_names

    def save(self, folder: str | Path) -> Path:
        """Write ``model.joblib`` then ``model.json`` (with its sha256); never half a model."""
        import joblib

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / MODEL_FILE
        with atomic_path(target) as tmp:
            joblib.dump(self.pipeline, tmp)
        self.meta.update(
            labels=self.labels,
            sha256=sha256_file(target),
            versions=library_versions(),
            saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        write_text_atomic(folder / META_FILE, json.dumps(self.meta, indent=2, default=str))
        return target


def _texts(texts) -> list[str]:
    """A list of statements; one string is one statement. An empty or non-string statement
    is a ValueError naming its index (the CLI and the server refuse them the same way)."""
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text {i}: expected a non-empty string, got {text!r}")
    return texts


def is_uri(value: object) -> bool:
    """An MLflow model URI rather than a path."""
    return isinstance(value, str) and value.startswith(
        ("models:/", "runs:/", "mlflow-artifacts:/", "s3://", "gs://", "dbfs:/")
    )


def load_model(path: str | Path | None = None) -> StanceModel:
    """Load from a ``model.joblib`` or its folder (default: the latest trained model),
    after checking its sha256 against ``model.json``. MLflow URIs go through
    `stance.load_model`, so this module never imports MLflow."""
    latest = None
    if path is None:  # the config is read only here: a logged model loads without it
        from stance.config import defaults

        latest = defaults().latest
    path = Path(path) if path is not None else latest
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        hint = " (train one with `make train`)" if path.parent == latest else ""
        raise StanceError(f"{path}: no such model file{hint}")
    meta_path = path.with_name(META_FILE)
    if not meta_path.is_file():
        raise StanceError(
            f"{path}: no {META_FILE} beside it, so its checksum cannot be verified; refusing to load"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise StanceError(f"{meta_path}: not valid JSON ({err})") from None
    expected = meta.get("sha256")
    if not expected:
        raise StanceError(f"{meta_path}: field 'sha256' is missing; refusing to load {path.name}")
    if sha256_file(path) != expected:
        raise StanceError(
            f"{path}: sha256 does not match {META_FILE} (file corrupted, truncated or replaced); refusing to load"
        )
    import joblib

    try:
        pipeline = joblib.load(path)
    except Exception as err:  # a matching checksum makes this rare: a library mismatch, say
        raise StanceError(f"{path}: cannot be loaded ({type(err).__name__}: {err})") from None
    return StanceModel(pipeline, meta)


def move_latest(model_dir: Path, link: Path, select_by: str) -> str:
    """Point ``link`` (`experiments/models/latest`) at ``model_dir``, always, and return the
    one line that says so: the new model's figure on ``select_by`` (validation macro-F1 when
    either model lacks it) and the figure of the model it replaced, and whether that is worse."""
    from stance.metrics import metric_key, metric_keys

    new = _meta_or_empty(model_dir)
    old = _meta_or_empty(link) if link.exists() else {}
    update_latest(model_dir, link)
    new_metrics, old_metrics = (
        metric_keys(new.get("metrics", {})),
        metric_keys(old.get("metrics", {})),
    )
    key = metric_key(select_by)
    if key not in new_metrics or (old and key not in old_metrics):
        key = "validation/macro_f1"
    line = f"latest -> {_described(new)}: {key} {new_metrics.get(key, float('nan')):.3f}"
    if not old:
        return line
    if old.get("labels") != new.get("labels"):
        return f"{line}; replaced {_described(old)}, another label set (not comparable)"
    was = old_metrics.get(key)
    if was is None:
        return f"{line}; replaced {_described(old)}"
    now = new_metrics.get(key, float("nan"))
    if now >= was:
        return f"{line}; was {was:.3f} ({_described(old)}): as good or better"
    return (
        f"{line}; was {was:.3f} ({_described(old)}): worse; to keep using the better one, "
        f"`stance promote` its run and use --model models:/stance-classifier@champion"
    )


def _meta_or_empty(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _described(meta: dict) -> str:
    run = str(meta.get("run_id") or "")[:8]
    return f"{meta.get('run_name') or 'a model'}" + (f" (run {run})" if run else "")


def update_latest(model_dir: Path, link: Path) -> None:
    """Point ``link`` at ``model_dir`` with one atomic rename."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(model_dir, link.parent), tmp)
    os.replace(tmp, link)
