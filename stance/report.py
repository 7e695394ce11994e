"""A self-contained HTML page showing an article's stance, sentence by sentence.

The page needs nothing from outside: its CSS, its charts (SVG) and its few lines of script are
inline, so it can be opened from disk, mailed, archived or printed as it is.

The markup lives in ``templates/report.html.j2``, rendered by Jinja2 with autoescape on, so
every piece of text from the analysis is escaped where the template writes it. This module
decides what the page shows (label order, colours, the charts' geometry) as plain data.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from itertools import groupby

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from stance.article import summarise

# The label stance.model gives below its thresholds (its UNCERTAIN; not imported: that module
# needs numpy, and drawing a page should not load the model stack).
UNCERTAIN = "uncertain"

# Paul Tol's "vibrant" scheme, made to stay distinct for colour-blind readers, plus a grey.
_COLOURS = {
    "conciliatory": "#009988",
    "demanding": "#EE7733",
    "rejecting": "#EE3377",
    "neutral": "#A5A5A5",
    UNCERTAIN: "#555555",
}
_SPARE_COLOURS = ("#0077BB", "#33BBEE", "#CC3311", "#AA3377")
# The underline differs by label too, so the stance still shows in grey print.
_UNDERLINES = {"conciliatory": "solid", "demanding": "double", "rejecting": "wavy"}

# Chart geometry, in SVG user units.
_CHART_WIDTH = 720
_BAR_HEIGHT = 20
_ROW_HEIGHT = 30
_NAME_WIDTH = 170
_COUNT_WIDTH = 80
_BAR_SPAN = _CHART_WIDTH - _NAME_WIDTH - _COUNT_WIDTH  # the longest bar
_MAX_NAME = 24  # characters of a row's name shown before it is cut short
_MIN_WIDTH_FOR_COUNT = 16  # a speaker's segment narrower than this has no count written in it

# The page's own style and script. They contain no input, so the template gets them as
# Markup (not escaped); everything else it writes is escaped.
_CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #dadce0; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
    "Liberation Sans", Arial, sans-serif;
}
main { max-width: 880px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
header { border-bottom: 1px solid var(--rule); padding-bottom: .75rem; margin-bottom: 1rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 .3rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
h3 { font-size: .95rem; margin: 1.25rem 0 .25rem; color: var(--muted); font-weight: 600; }
.meta, .note, .hint { color: var(--muted); font-size: .85rem; margin: 0; }
.meta code { font-size: .8rem; overflow-wrap: anywhere; }
.legend { display: flex; flex-wrap: wrap; gap: .35rem 1.1rem; list-style: none; padding: 0;
  margin: .5rem 0 .25rem; font-size: .9rem; }
.legend li { display: flex; align-items: center; gap: .4rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 2px;
  background: rgb(var(--rgb)); }
.swatch.label-uncertain { background: repeating-linear-gradient(135deg, #555 0 2px, #fff 2px 5px);
  outline: 1px solid #555; }
.article { font-size: 1.06rem; line-height: 1.9; overflow-wrap: break-word; }
.article p { margin: 0 0 1.1rem; }
.sentence, .sample {
  --strength: calc(0.08 + 0.5 * var(--confidence, 0.5));
  background-color: rgb(var(--rgb) / var(--strength));
  text-decoration: underline var(--underline, solid) rgb(var(--rgb));
  text-decoration-thickness: 2px; text-underline-offset: 4px; text-decoration-skip-ink: none;
  border-radius: 3px; padding: .12em .1em; cursor: help;
  -webkit-box-decoration-break: clone; box-decoration-break: clone;
}
.sentence:hover { background-color: rgb(var(--rgb) / calc(var(--strength) + 0.15)); }
.sentence:focus-visible, .sentence:target { outline: 2px solid var(--ink); outline-offset: 1px; }
.label-neutral { --strength: calc(0.04 + 0.3 * var(--confidence, 0.5)); text-decoration: none; }
.sentence.label-uncertain, .sample.label-uncertain {
  background: repeating-linear-gradient(135deg, rgb(0 0 0 / .16) 0 2px, transparent 2px 6px);
  text-decoration: underline dashed #555; text-decoration-thickness: 1.5px;
}
#tooltip {
  position: absolute; z-index: 10; max-width: min(26rem, calc(100vw - 1rem)); padding: .55rem .7rem;
  background: #fff; border: 1px solid var(--rule); border-radius: 6px; font-size: .85rem;
  line-height: 1.4; box-shadow: 0 4px 14px rgb(0 0 0 / .18); pointer-events: none;
}
#tooltip[hidden] { display: none; }
.tip-head { display: flex; align-items: center; gap: .45rem; font-weight: 600; }
.tip-row { display: block; margin-top: .25rem; }
.tip-key { color: var(--muted); }
.ngram { display: inline-block; margin: .15rem .25rem 0 0; padding: 0 .35rem; border-radius: 3px;
  background: #f1f3f4; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
  "DejaVu Sans Mono", monospace; font-size: .8rem; }
.charts svg { display: block; width: 100%; height: auto; max-width: 720px; }
.charts text { font-size: 13px; fill: var(--ink); }
.charts .count { fill: var(--muted); }
.charts .inside { font-size: 11px; font-weight: 700; paint-order: stroke; stroke: #fff;
  stroke-width: 4px; stroke-linejoin: round; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  #tooltip, .hint { display: none; }
  .sentence { cursor: auto; }
  .charts { break-inside: avoid; }
}
"""

_SCRIPT = """
(() => {
  const tooltip = document.getElementById("tooltip");
  const show = (sentence, x, y) => {
    tooltip.replaceChildren(...sentence.querySelector(".tip").cloneNode(true).childNodes);
    tooltip.hidden = false;
    const left = Math.min(x, document.documentElement.clientWidth - tooltip.offsetWidth - 8);
    tooltip.style.left = `${Math.max(8, left) + window.scrollX}px`;
    tooltip.style.top = `${y + window.scrollY}px`;
  };
  const hide = () => { tooltip.hidden = true; };
  for (const sentence of document.querySelectorAll(".sentence")) {
    sentence.addEventListener("mousemove", (e) => show(sentence, e.clientX + 12, e.clientY + 18));
    sentence.addEventListener("mouseleave", hide);
    sentence.addEventListener("focus", () => {
      const line = sentence.getClientRects()[0];
      show(sentence, line.left, line.bottom + 6);
    });
    sentence.addEventListener("blur", hide);
  }
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.classList.contains("sentence")) target.focus();
})();
"""


@dataclass(frozen=True)
class ShownSentence:
    """A sentence as the page shows it, its fields coerced to the types the template formats."""

    index: int
    paragraph: object
    text: str
    label: str
    confidence: float
    speaker: str | None
    ngrams: list[tuple[str, float]]  # the deciding n-grams, with their weights
    probabilities: list[tuple[str, float]]  # the most probable label first


@dataclass(frozen=True)
class LabelStyle:
    """A label's colour (as CSS ``r g b``, so the page can vary its opacity) and underline."""

    label: str
    rgb: str
    underline: str


@dataclass(frozen=True)
class Bar:
    """One rectangle of a chart: ``count`` sentences with ``label``, drawn from ``x``."""

    label: str
    count: int
    x: float
    width: float

    @property
    def middle(self) -> float:
        return self.x + self.width / 2

    @property
    def count_fits(self) -> bool:
        return self.width >= _MIN_WIDTH_FOR_COUNT


@dataclass(frozen=True)
class Row:
    """One row of a chart: a name, its bars from left to right, and the total after them."""

    name: str
    y: int
    bars: list[Bar]
    total: int
    share: float = 0.0  # of all sentences (the label chart writes it beside the total)

    @property
    def short_name(self) -> str:
        return self.name if len(self.name) <= _MAX_NAME else self.name[: _MAX_NAME - 1] + "…"

    @property
    def baseline(self) -> float:
        """Where the text beside the bars sits."""
        return self.y + _BAR_HEIGHT * 0.72

    @property
    def end(self) -> float:
        """Where the last bar ends (where the first would start, if there is none)."""
        return self.bars[-1].x + self.bars[-1].width if self.bars else _NAME_WIDTH


@dataclass(frozen=True)
class Chart:
    """A bar chart: its rows, top to bottom."""

    rows: list[Row]

    @property
    def height(self) -> int:
        return len(self.rows) * _ROW_HEIGHT + (8 if self.rows else 0)  # 8: a margin below


def render_html(analysis: dict) -> str:
    """Render an article's sentence-by-sentence stance analysis as one HTML page.

    The page is self-contained: inline CSS, inline SVG charts and a few lines of inline
    script (a tooltip), with no reference to anything outside it.

    Parameters
    ----------
    analysis : dict
        What ``stance analyze`` produces: ``source`` (shown in the title), ``model`` (shown
        small in the header), ``labels`` (the model's labels, in order), ``sentences`` (each a
        dict with ``index``, ``paragraph``, ``text``, ``label`` — possibly ``"uncertain"`` —,
        ``confidence``, ``probabilities``, ``explanation`` as ``[n-gram, weight]`` pairs and
        ``speaker`` or None) and ``summary`` (``labels``: count per label; ``speakers``: count
        per label for each named speaker). A missing summary is counted from the sentences.

    Returns
    -------
    str
        The page. Each sentence is a ``<span class="sentence label-<label>">`` carrying
        ``data-label``, ``data-confidence``, ``data-index`` (and ``data-speaker``), with
        its tooltip's content in a hidden ``<span class="tip">`` child, and ``id="s<index>"``
        so that ``page.html#s3`` shows sentence 3 with its tooltip. The summary holds
        ``<svg id="label-chart">`` and ``<svg id="speaker-chart">``, one ``<rect data-label>``
        per non-empty bar or segment.
    """
    sentences = sorted(analysis.get("sentences", []), key=lambda s: s["index"])
    summary = analysis.get("summary") or summarise(sentences)
    label_counts, speakers = summary["labels"], summary["speakers"]
    seen = [
        *label_counts,
        *(s["label"] for s in sentences),
        *(k for c in speakers.values() for k in c),
    ]
    labels = _label_order(analysis.get("labels", []), seen)
    colours = _colours(labels)
    shown = [_shown(s) for s in sentences]
    return _template().render(
        css=Markup(_CSS.strip("\n")),  # the template sets it on lines of its own
        script=Markup(_SCRIPT),
        source=str(analysis.get("source", "")),
        model=str(analysis.get("model", "")),
        labels=labels,
        label_styles=[_style(label, colours[label]) for label in labels],
        colours=colours,
        uncertain=UNCERTAIN,
        sentence_count=len(sentences),
        paragraph_count=len({s["paragraph"] for s in sentences}),
        paragraphs=[list(group) for _, group in groupby(shown, key=lambda s: s.paragraph)],
        label_chart=_label_chart(labels, label_counts),
        speaker_chart=_speaker_chart(labels, speakers),
        chart_width=_CHART_WIDTH,
        name_width=_NAME_WIDTH,
        bar_height=_BAR_HEIGHT,
    )


@cache
def _template() -> Template:
    """The page's template, loaded once; autoescape on for everything it writes."""
    environment = Environment(
        loader=PackageLoader("stance", "templates"),
        autoescape=True,
        finalize=_escaped_as_html_module,
        undefined=StrictUndefined,  # a misspelt name fails loudly instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["label_class"] = _css_class
    environment.filters["percent"] = lambda fraction: f"{fraction:.0%}"
    return environment.get_template("report.html.j2")


def _escaped_as_html_module(value: object) -> object:
    """Every value the template writes, escaped as ``html.escape`` spells it (``&quot;``).

    Jinja calls this on each ``{{ value }}`` before autoescaping it; markupsafe alone would
    write ``&#34;`` and ``&#39;``, the same characters in other spellings, and pages (and
    tests) that look for ``html.escape``'s spelling would stop finding it. Markup (the
    template's own macros, CSS, script) passes through untouched.
    """
    return value if hasattr(value, "__html__") else Markup(html.escape(str(value)))


def _label_order(labels: list[str], seen: list[str]) -> list[str]:
    """The model's labels in their order, then any other label met (``uncertain`` last)."""
    order = list(dict.fromkeys([*labels, *seen]))
    return sorted(order, key=lambda label: label == UNCERTAIN)


def _colours(labels: list[str]) -> dict[str, str]:
    spare = iter(_SPARE_COLOURS * len(labels))
    return {label: _COLOURS.get(label) or next(spare) for label in labels}


def _css_class(label: str) -> str:
    """A class name made from a label; only ``[a-z0-9_-]``, so it is safe in a selector."""
    return "label-" + re.sub(r"[^a-z0-9_-]+", "-", label.lower())


def _style(label: str, colour: str) -> LabelStyle:
    rgb = " ".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return LabelStyle(label, rgb, _UNDERLINES.get(label, "solid"))


def _shown(sentence: dict) -> ShownSentence:
    probabilities = sentence.get("probabilities") or {}
    return ShownSentence(
        index=int(sentence["index"]),
        paragraph=sentence["paragraph"],
        text=sentence["text"],
        label=str(sentence["label"]),
        confidence=float(sentence.get("confidence") or 0.0),
        speaker=sentence.get("speaker") or None,
        ngrams=[(str(ngram), float(weight)) for ngram, weight in sentence.get("explanation") or []],
        probabilities=sorted(probabilities.items(), key=lambda item: -item[1]),
    )


def _label_chart(labels: list[str], counts: dict[str, int]) -> Chart:
    """One row per label, its bar as long as its count relative to the largest."""
    total = sum(counts.values()) or 1
    widest = max(counts.values(), default=0) or 1
    rows = []
    for row, label in enumerate(labels):
        n = counts.get(label, 0)
        bars = [Bar(label, n, _NAME_WIDTH, _BAR_SPAN * n / widest)] if n else []
        rows.append(Row(label, _row_top(row), bars, total=n, share=n / total))
    return Chart(rows)


def _speaker_chart(labels: list[str], speakers: dict[str, dict[str, int]]) -> Chart:
    """One row per speaker (most sentences first), a segment per label in the labels' order."""
    ranked = sorted(speakers.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    widest = max((sum(c.values()) for _, c in ranked), default=0) or 1
    rows = []
    for row, (name, counts) in enumerate(ranked):
        bars, x = [], float(_NAME_WIDTH)
        for label in labels:
            n = counts.get(label, 0)
            if n:
                bars.append(Bar(label, n, x, _BAR_SPAN * n / widest))
                x += bars[-1].width
        rows.append(Row(name, _row_top(row), bars, total=sum(counts.values())))
    return Chart(rows)


def _row_top(row: int) -> int:
    return row * _ROW_HEIGHT + 6
