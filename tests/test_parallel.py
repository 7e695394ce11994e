"""Big inputs: `--jobs` keeps the output order, the progress bar stays on a terminal's
standard error, and an interrupted run leaves no half-written file."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from conftest import SEEDS, take

from stance import load_model
from stance.cli import main

STANCE = str(Path(sys.executable).parent / "stance")
TEXTS = [row["text"] for split in ("validation", "test") for row in take(split, 40)]


@pytest.fixture
def statements(tmp_path) -> Path:
    path = tmp_path / "statements.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return path


def test_jobs_give_the_rows_of_one_process_in_the_same_order(trained, statements, tmp_path):
    model = str(trained["model_dir"])
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}.jsonl"
        args = ["predict", "--file", str(statements), "--model", model, "--format", "json"]
        assert main([*args, "--chunk-size", "7", "--jobs", str(jobs), "--out", str(out)]) == 0
        outputs[jobs] = out.read_bytes()
    assert outputs[1] == outputs[2]
    rows = json.loads(outputs[2])
    # The rows are the model's own answers, text by text, in the input's order.
    assert [r["text"] for r in rows] == TEXTS
    assert [r["label"] for r in rows] == list(load_model(model).predict(TEXTS))


def _run_on_a_terminal(args: list[str]) -> tuple[str, str]:
    """Run ``stance args`` with standard error on a pseudo-terminal; (stdout, terminal)."""
    leader, follower = pty.openpty()
    # A terminal of 24 rows and 100 columns, as a real one has a size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen([STANCE, *args], stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    stdout = process.communicate(timeout=120)[0]
    os.close(leader)
    assert process.returncode == 0, seen.decode(errors="replace")
    return stdout.decode(), seen.decode(errors="replace")


def test_progress_bar_only_on_a_terminal_and_never_on_stdout(trained, statements):
    args = ["predict", "--file", str(statements), "--model", str(trained["model_dir"])]
    args += ["--format", "csv", "--chunk-size", "10"]
    stdout, terminal = _run_on_a_terminal(args)
    assert f"{len(TEXTS)}/{len(TEXTS)}" in terminal and "100%|" in terminal
    assert stdout.count("\n") == len(TEXTS) + 1  # the header and one row each, nothing else
    # the bar's own marks ("100%|", the unit), not a statement's "a 100% surtax"
    assert "100%|" not in stdout and "stmt" not in stdout
    assert _run_on_a_terminal([*args, "--quiet"])[1] == ""
    piped = subprocess.run([STANCE, *args], capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_leaves_no_half_written_file(trained, tmp_path, how):
    big = tmp_path / "big.txt"
    big.write_text("\n".join(TEXTS * 800) + "\n", encoding="utf-8")  # 64,000 lines
    out = tmp_path / "out" / "tagged.csv"
    out.parent.mkdir()
    out.write_text("the previous run's rows\n", encoding="utf-8")
    args = ["predict", "--file", str(big), "--model", str(trained["model_dir"]), "--out", str(out)]
    process = subprocess.Popen(
        [STANCE, *args, "--format", "csv"],
        stderr=subprocess.PIPE,
        text=True,
        # The default SIGINT handler, whatever the suite was started with (`nohup` or a
        # background job ignore it, and the child would inherit that): Ctrl-C as a shell sends it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while not list(out.parent.glob(".tagged.csv.*.tmp")) and process.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    time.sleep(0.3)  # rows are being written to the temp file now
    process.send_signal(how)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == (f"stance predict: interrupted; {out} left as it was")
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["tagged.csv"]
    assert out.read_text(encoding="utf-8") == "the previous run's rows\n"


def test_analyze_a_folder_in_order_with_jobs(trained, tmp_path, capsys):
    articles = tmp_path / "articles"
    articles.mkdir()
    for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        (articles / f"b{i}.txt").write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    (articles / "a.txt").write_text("The union rejected the offer.\n", encoding="utf-8")
    (articles / "notes.md").write_text("not an article\n", encoding="utf-8")
    model = str(trained["model_dir"])
    pages = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["analyze", str(articles), "--model", model, "--format", "json",
                     "--jobs", jobs, "--out", str(out)]) == 0  # fmt: skip
        pages[jobs] = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert pages["1"] == pages["2"]
    assert sorted(pages["2"]) == ["a.json", "b0.json", "b1.json"]
    one = json.loads(pages["2"]["a.json"])
    assert [s["label"] for s in one["sentences"]] == list(
        load_model(model).predict(["The union rejected the offer."])
    )
    capsys.readouterr()
    assert main(["analyze", str(articles), "--model", model, "--format", "json", "-j", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["source"] for line in lines] == [
        str(articles / name) for name in ("a.txt", "b0.txt", "b1.txt")
    ]


def test_bad_jobs_and_empty_folder_are_one_clear_line(trained, tmp_path, capsys):
    model = str(trained["model_dir"])
    assert main(["predict", "Talks resume.", "--model", model, "--jobs", "0"]) == 2
    assert capsys.readouterr().err.strip() == (
        "stance predict: error: --jobs 0: give a number of processes >= 1, or -1 for all cores"
    )
    assert main(["analyze", str(tmp_path), "--model", model]) == 2
    assert capsys.readouterr().err.strip() == (
        f"stance analyze: error: {tmp_path}: no .txt articles in this folder"
    )
