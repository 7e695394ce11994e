"""Use in the field: articles, abstention, calibration records, promotion, serving, suggestions."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS

from stance.cli import main

ARTICLE = sorted(SEEDS.glob("*.txt"))[1]


def test_analyze_table_json_and_html(trained, tmp_path, capsys):
    from stance.article import split_sentences

    model = str(trained["model_dir"])
    sentences = split_sentences(ARTICLE.read_text(encoding="utf-8"))
    assert main(["analyze", str(ARTICLE), "--model", model, "--format", "json"]) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert [s["text"] for s in analysis["sentences"]] == sentences
    assert sum(analysis["summary"]["labels"].values()) == len(sentences)
    assert {"Trump", "Lavrov", "Putin"} <= set(analysis["summary"]["speakers"])
    lavrov = next(s for s in analysis["sentences"] if "Lavrov reiterated" in s["text"])
    assert lavrov["speaker"] == "Lavrov" and 0 < lavrov["confidence"] <= 1
    assert main(["analyze", str(ARTICLE), "--model", model]) == 0
    table = capsys.readouterr().out
    assert "per speaker:" in table and len(table.splitlines()) >= len(sentences) + 3
    page = tmp_path / "a.html"
    assert (
        main(["analyze", str(ARTICLE), "--model", model, "--format", "html", "--out", str(page)])
        == 0
    )
    assert page.read_text(encoding="utf-8").count('class="sentence ') == len(sentences)


def test_speakers_found_in_news_phrasing():
    from stance.article import speaker

    assert speaker("“We will not sign,” Lavrov said.") == "Lavrov"
    assert speaker("“Not now,” said Foreign Minister Sergey Lavrov.") == "Lavrov"
    assert speaker("Trump demanded Putin stop attacks.") == "Trump"
    assert speaker("“A lot of things happen,” he said.", previous="Trump") == "Trump"
    assert speaker("The talks resumed in Geneva.") is None


def test_abstain_turns_low_confidence_into_uncertain(trained, capsys):
    from stance.model import load_model

    model = load_model(trained["model_dir"])
    thresholds = model.thresholds()
    assert set(thresholds) == set(model.labels)
    texts = ["We will never sign it.", "maybe", "The meeting is on Monday.", "ok then"]
    plain, abstained = model.tag(texts), model.tag(texts, abstain=True)
    for p, a in zip(plain, abstained, strict=True):
        expected = "uncertain" if p["confidence"] < thresholds[p["label"]] else p["label"]
        assert a["label"] == expected
    model.meta["thresholds"] = dict.fromkeys(model.labels, 1.01)
    assert {row["label"] for row in model.tag(texts, abstain=True)} == {"uncertain"}
    assert (
        main(
            [
                "predict",
                *texts,
                "--model",
                str(trained["model_dir"]),
                "--abstain",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert [r["label"] for r in json.loads(capsys.readouterr().out)] == [
        a["label"] for a in abstained
    ]


def test_calibration_and_abstention_are_logged(trained):
    """The logged ECE, thresholds, coverage and accuracy are the ones worked out here, from the
    saved model's probabilities on the same rows, by plain numpy."""
    import csv

    from mlflow import MlflowClient

    client = MlflowClient(trained["cfg"].tracking.uri)
    metrics = client.get_run(trained["run_id"]).data.metrics
    model = trained["model"]
    data = Path(trained["cfg"].data.dir)
    for split in ("validation", "test"):
        with open(data / f"{split}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        proba = model.predict_proba([r["text"] for r in rows])
        gold = np.array([r["label"] for r in rows])
        for i, label in enumerate(model.labels):
            # One-vs-rest ECE over ten equal bins, by hand.
            p, hit = proba[:, i], gold == label
            bins = np.minimum((p * 10).astype(int), 9)
            ece = sum(
                (bins == b).mean() * abs(hit[bins == b].mean() - p[bins == b].mean())
                for b in range(10)
                if (bins == b).any()
            )
            assert metrics[f"{split}/ece_{label}"] == pytest.approx(ece, abs=1e-9)
        # Coverage and accuracy under the logged thresholds.
        top = proba.argmax(axis=1)
        limits = np.array([metrics[f"abstain/threshold_{model.labels[t]}"] for t in top])
        answered = proba.max(axis=1) >= limits
        assert metrics[f"abstain/coverage_{split}"] == pytest.approx(answered.mean())
        right = gold[answered] == np.array(model.labels)[top[answered]]
        assert metrics[f"abstain/accuracy_{split}"] == pytest.approx(right.mean())
    # The thresholds are the lowest confidences whose answers reach the target precision on
    # validation (checked by hand in test_calibration.py); the figures above use them.
    assert all(metrics[f"abstain/threshold_{label}"] > 0 for label in model.labels)
    assert {"reliability_validation.png", "abstention_coverage_test.png"} <= {
        a.path for a in client.list_artifacts(trained["run_id"])
    }


def test_expected_calibration_error_and_thresholds():
    import numpy as np

    from stance.calibration import abstention, choose_thresholds, expected_calibration_error

    assert expected_calibration_error(np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.0
    assert expected_calibration_error(np.array([1, 1]), np.array([0.6, 0.6])) == pytest.approx(0.4)
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]])
    gold = ["a", "a", "b", "b", "b"]
    thresholds = choose_thresholds(gold, proba, ["a", "b"], target_precision=0.99)
    assert thresholds == {"a": 0.8, "b": 0.7}
    assert abstention(gold, proba, ["a", "b"], thresholds) == {"coverage": 0.8, "accuracy": 1.0}


def test_suggest_least_sure_without_near_duplicates(trained, tmp_path, capsys):
    from stance.model import load_model

    pool = tmp_path / "pool.txt"
    lines = [
        "The union said it might consider the offer.",
        "The union said it might consider the offer!",
        "Talks resume on Monday in Geneva.",
        "We reject this plan outright.",
        "The ministry is weighing its options on the proposal.",
        "Officials said a deal was possible but not certain.",
    ]
    pool.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "next.csv"
    assert (
        main(
            [
                "suggest",
                "--pool",
                str(pool),
                "-n",
                "3",
                "--model",
                str(trained["model_dir"]),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["text", "predicted", "confidence", "margin", "label"]
    assert len(rows) == 3 and all(r["label"] == "" for r in rows)
    assert not {lines[0], lines[1]} <= {r["text"] for r in rows}
    margins = [float(r["margin"]) for r in rows]
    assert margins == sorted(margins)
    proba = load_model(trained["model_dir"]).predict_proba(lines)
    top2 = sorted(proba[lines.index(rows[0]["text"])])[-2:]
    assert margins[0] == pytest.approx(top2[1] - top2[0], abs=1e-4)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


# Starts MLflow's real model server (its own Python process and virtual env check).
@pytest.mark.slow
def test_promote_then_serve_with_mlflow(trained, monkeypatch, capsys):
    from stance import tracking

    store = trained["cfg"].tracking.uri
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    assert main(["promote", trained["run_id"]]) == 0
    assert (
        capsys.readouterr().out.strip() == "stance-classifier v1 is now @champion (no previous one)"
    )
    assert tracking.promote(trained["run_id"]) == ("1", "1")
    assert main(["promote", "no-such-run"]) == 2

    port = _free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": store,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "stance.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "server did not start in 90 s"
                time.sleep(0.5)
        texts = [
            "We will not sign this.",
            "Our door remains open.",
            "Pay us by Friday.",
            "They met in Oslo.",
        ]
        status, body = _post(
            f"{url}/invocations", {"dataframe_records": [{"text": t} for t in texts]}
        )
        assert status == 200
        predictions = body["predictions"]
        assert len(predictions) == len(texts)
        assert [p["label"] for p in predictions] == trained["model"].predict(texts)
        assert all(
            sum(p[f"p_{label}"] for label in trained["model"].labels) == pytest.approx(1)
            for p in predictions
        )
        assert _post(f"{url}/invocations", {"dataframe_records": []})[0] == 400
        assert _post(f"{url}/invocations", {"dataframe_records": [{"statement": "x"}]})[0] == 400
        status, body = _post(f"{url}/invocations", {"dataframe_records": [{"text": 5}]})
        assert status == 400 and "must be a non-empty string" in body["message"]
        # A text far longer than any statement is refused before it costs time and memory.
        started = time.monotonic()
        huge = {"dataframe_records": [{"text": "We reject the offer. " * 50_000}]}  # ~1 MB
        status, body = _post(f"{url}/invocations", huge)
        assert status == 400 and "over the limit of 10,000" in body["message"]
        assert time.monotonic() - started < 10
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


SWAPS = {
    "Zelenskyy": "Okonkwo",
    "Zelensky": "Okonkwo",
    "Trump": "Macron",
    "Putin": "Erdogan",
    "Lavrov": "Fidan",
    "Rubio": "Barrot",
    "Ukrainian": "Freedonian",
    "Ukraine": "Freedonia",
    "Russian": "Ruritanian",
    "Russia": "Ruritania",
    "Moscow": "Strelsau",
    "Kyiv": "Fredville",
    "Kremlin": "Zamok",
    "Norway": "Chile",
}


def test_swapping_actor_names_leaves_seed_predictions_unchanged(trained):
    import re

    from stance.model import load_model

    model = load_model(trained["model_dir"])
    assert model.pipeline.named_steps["prep"].mask_entities
    with open(SEEDS / "statements.csv", encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    pattern = re.compile(r"\b(" + "|".join(sorted(SWAPS, key=len, reverse=True)) + r")\b")
    swapped = [pattern.sub(lambda m: SWAPS[m.group()], t) for t in texts]
    assert sum(a != b for a, b in zip(texts, swapped, strict=True)) >= 20
    assert model.predict(swapped) == model.predict(texts)
    assert model.predict_proba(swapped) == pytest.approx(model.predict_proba(texts))


@pytest.mark.parametrize(
    "line",
    [
        "- Category",
        "- Latest news",
        "By Jane Doe and John Roe",
        "Photo: Reuters",
        "Read more",
        "Share this article",
        "Related: Iran talks",
        "© 2025 Agency",
        "Russia-Ukraine war",
        "3) Markets",
        "Your email address will not be published.",
        "Required fields are marked *",
        "Leave a Reply",
        "Sign up for our daily briefing.",
        "Reporting by Jane Doe; Editing by John Roe",
        "This material may not be published, broadcast, rewritten, or redistributed.",
        "We use cookies to improve your experience.",
    ],
)
def test_page_furniture_is_recognised(line):
    from stance.article import is_furniture

    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Union rejects pay offer",
        "Talks resume in Geneva",
        "Ceasefire holds",
        "We agree.",
        "- Kyiv rejects the plan, officials said.",
        "No deal.",
        "Never!",
        "Trump Says He’ll Push for Ukraine to Get Territory Back",
        "Subscribers in Quebec will pay 4% more under the deal.",
        "Reporters were told the talks would resume on Monday.",
        "Comments by the minister angered the union.",
    ],
)
def test_statements_and_headlines_are_not_furniture(line):
    from stance.article import is_furniture

    assert not is_furniture(line)


def test_analyze_leaves_page_furniture_untagged(trained, tmp_path, capsys):
    article = tmp_path / "page.txt"
    article.write_text(
        "- Category\n- Latest news\nBy Jane Doe\nUnion rejects pay offer\n"
        "The union rejected the offer on Tuesday. Talks resume next week, officials said.\n"
        "Photo: Reuters\nShare this article\n",
        encoding="utf-8",
    )
    args = ["analyze", str(article), "--model", str(trained["model_dir"]), "--format", "json"]
    assert main(args) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert [s["text"] for s in analysis["sentences"]] == [
        "Union rejects pay offer",
        "The union rejected the offer on Tuesday.",
        "Talks resume next week, officials said.",
    ]
    assert sum(analysis["summary"]["labels"].values()) == 3


def test_suggest_splits_paragraphs_into_sentences(trained, tmp_path, capsys):
    pool = tmp_path / "pool.txt"
    pool.write_text(
        "The union rejected the offer on Tuesday. Talks resume next week, officials said.\n"
        "We will sign if the border reopens.\n",
        encoding="utf-8",
    )
    args = ["suggest", "--pool", str(pool), "-n", "10", "--model", str(trained["model_dir"])]
    assert main(args) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert sorted(r["text"] for r in rows) == [
        "Talks resume next week, officials said.",
        "The union rejected the offer on Tuesday.",
        "We will sign if the border reopens.",
    ]
