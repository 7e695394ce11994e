"""The HTML report: its markup on a hand-made analysis, then the page in a real headless Chromium."""

from __future__ import annotations

import copy
import html
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import pytest

from stance.report import render_html

LABELS = ["conciliatory", "demanding", "neutral", "rejecting"]
LONG_WORD = "Zaporizhzhia-Kherson-Donetsk-Luhansk-Crimea-Sevastopol-Mariupol-Melitopol-Berdiansk"


def _probabilities(label: str, confidence: float) -> dict[str, float]:
    rest = round((1 - confidence) / 3, 4)
    return {name: confidence if name == label else rest for name in LABELS}


def _sentence(index, paragraph, text, label, confidence, explanation=(), speaker=None):
    top = label if label in LABELS else "neutral"
    return {
        "index": index,
        "paragraph": paragraph,
        "text": text,
        "label": label,
        "confidence": confidence,
        "probabilities": _probabilities(top, confidence),
        "explanation": [list(pair) for pair in explanation],
        "speaker": speaker,
    }


SENTENCES = [
    _sentence(
        1,
        1,
        '"We will never give up Crimea & Donbas," Lavrov said.',
        "rejecting",
        0.81,
        [("never", 0.42), ("give up", 0.2)],
        "Lavrov",
    ),
    _sentence(
        2,
        1,
        "Kyiv must withdraw from the <b>four regions</b> first, he demanded.",
        "demanding",
        0.67,
        [("must", 0.5), ("withdraw", 0.31)],
        "Lavrov",
    ),
    _sentence(3, 1, f"Talks resumed in Istanbul on Tuesday near {LONG_WORD}.", "neutral", 0.9),
    _sentence(
        4,
        2,
        'Zelenskyy said Ukraine is ready to talk "without preconditions" & in good faith.',
        "conciliatory",
        0.74,
        [("ready to", 0.38), ("good faith", 0.27), ("talk", -0.05)],
        "Zelenskyy",
    ),
    _sentence(5, 2, "Whether a ceasefire < 30 days would hold is unclear.", "uncertain", 0.34),
]
ANALYSIS = {
    "source": "seeds/999_test.txt",
    "model": "experiments/models/latest",
    "labels": LABELS,
    "sentences": SENTENCES,
    "summary": {
        "labels": {"rejecting": 1, "demanding": 1, "neutral": 1, "conciliatory": 1, "uncertain": 1},
        "speakers": {"Lavrov": {"rejecting": 1, "demanding": 1}, "Zelenskyy": {"conciliatory": 1}},
    },
}


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _Page(HTMLParser):
    """What a reader of the page sees: sentence spans with their text and tooltip, chart rects."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.sentences: list[dict] = []  # attributes, plus "text" and "tip"
        self.rects: dict[str, list[dict]] = {}
        self.tooltip: dict | None = None
        self._open: list[tuple[str, str | None]] = []  # (tag, role) of the open elements
        self._svg: str | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        role = None
        if tag == "span" and "sentence" in classes:
            self.sentences.append({**attrs, "text": "", "tip": ""})
            role = "sentence"
        elif tag == "span" and "tip" in classes:
            role = "tip"
        elif attrs.get("id") == "tooltip":
            self.tooltip = {**attrs, "text": ""}
            role = "tooltip"
        elif tag == "svg" and attrs.get("id"):
            self._svg = attrs["id"]
            self.rects.setdefault(self._svg, [])
        elif tag == "rect" and self._svg:
            self.rects[self._svg].append(attrs)
        if tag not in _VOID:
            self._open.append((tag, role))

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        roles = [role for _, role in self._open if role]
        if "tooltip" in roles:
            self.tooltip["text"] += data
        elif roles and roles[-1] == "tip":
            self.sentences[-1]["tip"] += data
        elif roles and roles[-1] == "sentence":
            self.sentences[-1]["text"] += data


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(ANALYSIS)


def test_every_sentence_text_appears_escaped_exactly_once(page):
    for sentence in SENTENCES:
        assert page.count(html.escape(sentence["text"])) == 1, sentence["text"]
    assert "<b>four regions</b>" not in page
    assert "&lt;b&gt;four regions&lt;/b&gt;" in page


def test_one_span_per_sentence_in_reading_order_and_paragraphs(page):
    assert page.count('class="sentence') == len(SENTENCES)
    parsed = _Page(page)
    assert [s["text"] for s in parsed.sentences] == [s["text"] for s in SENTENCES]
    assert [s["data-index"] for s in parsed.sentences] == ["1", "2", "3", "4", "5"]
    assert [s["data-label"] for s in parsed.sentences] == [s["label"] for s in SENTENCES]
    assert parsed.sentences[0]["class"] == "sentence label-rejecting"
    assert parsed.sentences[4]["class"] == "sentence label-uncertain"
    assert float(parsed.sentences[0]["data-confidence"]) == pytest.approx(0.81)
    assert all(s["tabindex"] == "0" for s in parsed.sentences)
    paragraphs = page.split('<section class="article"')[1].split("</section>")[0]
    assert paragraphs.count("<p>") == 2
    first, second = paragraphs.split("</p>")[:2]
    assert first.count('class="sentence') == 3 and second.count('class="sentence') == 2


def test_tooltip_data_is_in_the_dom(page):
    tips = {s["data-index"]: s["tip"] for s in _Page(page).sentences}
    assert "rejecting · 81%" in tips["1"]
    assert "speaker: Lavrov" in tips["1"]
    assert "never +0.42" in tips["1"] and "give up +0.20" in tips["1"]
    assert "talk -0.05" in tips["4"]
    assert "speaker" not in tips["3"] and "n-grams" not in tips["3"]
    assert "uncertain · 34%" in tips["5"]


def test_the_page_is_self_contained(page):
    for outside in ("<script src", "<link", "@import", "url(http", "http://", "https://", "src="):
        assert outside not in page, outside
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_charts_have_one_rect_per_bar_and_segment(page):
    rects = _Page(page).rects
    assert [r["data-label"] for r in rects["label-chart"]] == [*LABELS, "uncertain"]
    assert [(r["data-speaker"], r["data-label"]) for r in rects["speaker-chart"]] == [
        ("Lavrov", "demanding"),
        ("Lavrov", "rejecting"),
        ("Zelenskyy", "conciliatory"),
    ]
    assert rects["label-chart"][-1]["fill"] == "url(#hatch)"
    assert 'id="hatch"' in page
    assert "No named speakers" not in page


def test_bar_lengths_follow_the_counts():
    """Worked by hand: the longest bar is the largest count; the others are that length
    times their share of it; a speaker's segments add up to that speaker's total."""
    analysis = copy.deepcopy(ANALYSIS)
    analysis["summary"] = {
        "labels": {"conciliatory": 4, "demanding": 2, "rejecting": 1, "neutral": 0, "uncertain": 1},
        "speakers": {"Lavrov": {"demanding": 2, "rejecting": 1}, "Zelenskyy": {"conciliatory": 1}},
    }
    rects = _Page(render_html(analysis)).rects
    widths = {r["data-label"]: float(r["width"]) for r in rects["label-chart"]}
    assert "neutral" not in widths  # a zero count draws no bar
    longest = widths["conciliatory"]
    assert longest > 100
    assert widths["demanding"] == pytest.approx(longest / 2, abs=0.1)
    assert widths["rejecting"] == pytest.approx(longest / 4, abs=0.1)
    assert widths["uncertain"] == pytest.approx(longest / 4, abs=0.1)
    segments = [
        (r["data-speaker"], float(r["x"]), float(r["width"])) for r in rects["speaker-chart"]
    ]
    (_, x1, w1), (_, x2, w2), (_, x3, w3) = segments
    assert w1 == pytest.approx(2 * w2, abs=0.1)  # Lavrov: demanding 2, rejecting 1
    assert x2 == pytest.approx(x1 + w1, abs=0.1)  # segments follow each other
    assert w3 == pytest.approx(w2, abs=0.1) and x3 == pytest.approx(x1, abs=0.1)


def test_no_speakers_leaves_an_empty_chart_and_a_note():
    analysis = copy.deepcopy(ANALYSIS)
    for sentence in analysis["sentences"]:
        sentence["speaker"] = None
    analysis["summary"]["speakers"] = {}
    page = render_html(analysis)
    assert _Page(page).rects["speaker-chart"] == []
    assert "No named speakers in this article." in page
    assert "0 named speakers" in page


def test_missing_summary_is_counted_from_the_sentences(page):
    analysis = {key: value for key, value in ANALYSIS.items() if key != "summary"}
    assert render_html(analysis) == page


# --- in a real browser -------------------------------------------------------------------------

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,1400",
]
# Appended to a copy of the page only: reports the layout width the browser computed.
_PROBE = (
    "<script>document.body.dataset.scrollWidth = document.documentElement.scrollWidth;"
    "document.body.dataset.innerWidth = window.innerWidth;</script></body>"
)


def _chromium(binary: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    # A temp HOME: Chromium writes caches and crash dumps under it, never in the real one.
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [binary, *_FLAGS, f"--user-data-dir={profile}", *args],
        env={
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


# Two launches of a real headless Chromium.
@pytest.mark.slow
def test_the_page_in_headless_chromium(tmp_path, page):
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    target = tmp_path / "report.html"
    target.write_text(page, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", _PROBE), encoding="utf-8")

    # The hash focuses sentence 4, whose tooltip the page's script then fills and shows.
    dumped = _chromium(binary, tmp_path, "--dump-dom", f"file://{probed}#s4").stdout
    dom = _Page(dumped)
    assert [s["text"] for s in dom.sentences] == [s["text"] for s in SENTENCES]
    assert [s["data-label"] for s in dom.sentences] == [s["label"] for s in SENTENCES]
    for chart, count in (("label-chart", 5), ("speaker-chart", 3)):
        assert len(dom.rects[chart]) == count
        for rect in dom.rects[chart]:
            assert float(rect["width"]) > 0 and float(rect["height"]) > 0
    assert dom.tooltip is not None and "hidden" not in dom.tooltip
    assert "conciliatory · 74%" in dom.tooltip["text"]
    assert "speaker: Zelenskyy" in dom.tooltip["text"]
    assert "good faith +0.27" in dom.tooltip["text"]
    assert 'data-inner-width="1000"' in dumped, "the window is not 1000 px wide"
    assert 'data-scroll-width="1000"' in dumped, "the page scrolls sideways at 1000 px"

    screenshot = tmp_path / "report.png"
    _chromium(binary, tmp_path, f"--screenshot={screenshot}", f"file://{target}#s1")
    assert screenshot.stat().st_size > 20_000
    with open(screenshot, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1000, 1400)
