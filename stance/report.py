"""A self-contained HTML page showing an article's stance, sentence by sentence.

The page needs nothing from outside: its CSS, its charts (SVG) and its few lines of script are
inline, so it can be opened from disk, mailed, archived or printed as it is.
"""

from __future__ import annotations

import re
from html import escape
from itertools import groupby

from stance.article import summarise

# The label stance.model gives below its thresholds (its UNCERTAIN; not imported: that module
# needs numpy, and this one only the standard library).
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

_CHART_WIDTH = 720
_BAR_HEIGHT = 20
_ROW_HEIGHT = 30
_NAME_WIDTH = 170
_COUNT_WIDTH = 80
_MAX_NAME = 24

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
    source = str(analysis.get("source", ""))
    paragraphs = len({s["paragraph"] for s in sentences})
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stance · {escape(source)}</title>
<style>{_CSS}{_label_css(colours)}</style>
</head>
<body>
<svg width="0" height="0" style="position:absolute" aria-hidden="true" focusable="false">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<path d="M0 0h6v6H0z" fill="#fff"/><path d="M1.5 0v6" stroke="#555" stroke-width="2.5"/></pattern></defs>
</svg>
<main>
<header>
<h1>Stance analysis: {escape(source)}</h1>
<p class="meta">{_plural(len(sentences), "sentence")} in {_plural(paragraphs, "paragraph")} · {_plural(len(speakers), "named speaker")} · model <code>{escape(str(analysis.get("model", "")))}</code></p>
{_legend(labels)}
<p class="hint">Stronger colour means higher confidence; hatched means uncertain. Hover over or tab to a sentence for its details.</p>
</header>
<section class="article" aria-label="Article">
{_article(sentences)}
</section>
<section class="charts" aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<h3>Sentences per label</h3>
{_label_chart(labels, label_counts, colours)}
<h3>Sentences per named speaker</h3>
{_speaker_chart(labels, speakers, colours)}
</section>
</main>
<div id="tooltip" role="tooltip" hidden></div>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _label_order(labels: list[str], seen: list[str]) -> list[str]:
    """The model's labels in their order, then any other label met (``uncertain`` last)."""
    order = list(dict.fromkeys([*labels, *seen]))
    return sorted(order, key=lambda label: label == UNCERTAIN)


def _colours(labels: list[str]) -> dict[str, str]:
    spare = iter(_SPARE_COLOURS * len(labels))
    return {label: _COLOURS.get(label) or next(spare) for label in labels}


def _css_class(label: str) -> str:
    return "label-" + re.sub(r"[^a-z0-9_-]+", "-", label.lower())


def _label_css(colours: dict[str, str]) -> str:
    rules = []
    for label, colour in colours.items():
        rgb = " ".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
        underline = _UNDERLINES.get(label, "solid")
        rules.append(f".{_css_class(label)} {{ --rgb: {rgb}; --underline: {underline}; }}")
    return "\n".join(rules)


def _legend(labels: list[str]) -> str:
    items = "".join(
        f'<li><span class="sample {_css_class(label)}" style="--confidence: 0.7">{escape(label)}</span></li>'
        for label in labels
    )
    return f'<ul class="legend" aria-label="Legend">{items}</ul>'


def _article(sentences: list[dict]) -> str:
    return "\n".join(
        "<p>" + " ".join(_sentence(s) for s in group) + "</p>"
        for _, group in groupby(sentences, key=lambda s: s["paragraph"])
    )


def _sentence(sentence: dict) -> str:
    index = int(sentence["index"])
    label = str(sentence["label"])
    confidence = float(sentence.get("confidence") or 0.0)
    speaker = sentence.get("speaker")
    speaker_attr = f' data-speaker="{escape(speaker)}"' if speaker else ""
    return (
        f'<span class="sentence {_css_class(label)}" id="s{index}" tabindex="0" '
        f'data-index="{index}" data-label="{escape(label)}" data-confidence="{confidence:.3f}"'
        f'{speaker_attr} style="--confidence: {confidence:.3f}" aria-describedby="tip-{index}">'
        f"{escape(sentence['text'])}{_tip(sentence, index, label, confidence)}</span>"
    )


def _tip(sentence: dict, index: int, label: str, confidence: float) -> str:
    """The tooltip's content, kept hidden in the sentence so it is in the DOM without script."""
    rows = [
        f'<span class="tip-head"><span class="swatch {_css_class(label)}"></span>'
        f"{escape(label)} · {confidence:.0%}</span>"
    ]
    if sentence.get("speaker"):
        rows.append(_tip_row("speaker", escape(sentence["speaker"])))
    ngrams = sentence.get("explanation") or []
    if ngrams:
        chips = "".join(
            f'<span class="ngram">{escape(str(ngram))} {float(weight):+.2f}</span>'
            for ngram, weight in ngrams
        )
        rows.append(_tip_row("deciding n-grams", chips))
    probabilities = sentence.get("probabilities") or {}
    if probabilities:
        ranked = sorted(probabilities.items(), key=lambda item: -item[1])
        rows.append(
            _tip_row("probabilities", " · ".join(f"{escape(k)} {v:.0%}" for k, v in ranked))
        )
    return f'<span class="tip" id="tip-{index}" hidden>{"".join(rows)}</span>'


def _tip_row(key: str, value: str) -> str:
    return f'<span class="tip-row"><span class="tip-key">{key}:</span> {value}</span>'


def _fill(label: str, colours: dict[str, str]) -> str:
    """The fill of a bar: the label's colour, or hatched and outlined for ``uncertain``."""
    return 'fill="url(#hatch)" stroke="#555"' if label == UNCERTAIN else f'fill="{colours[label]}"'


def _svg(chart_id: str, title: str, rows: int, body: str) -> str:
    height = rows * _ROW_HEIGHT + (8 if rows else 0)
    return (
        f'<svg id="{chart_id}" viewBox="0 0 {_CHART_WIDTH} {height}" width="{_CHART_WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(title)}">{body}</svg>'
    )


def _baseline(y: int) -> str:
    """Where the text beside a bar drawn from ``y`` sits."""
    return f"{y + _BAR_HEIGHT * 0.72:.1f}"


def _row_name(y: int, name: str) -> str:
    shown = name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"
    return (
        f'<text x="{_NAME_WIDTH - 10}" y="{_baseline(y)}" text-anchor="end">'
        f"<title>{escape(name)}</title>{escape(shown)}</text>"
    )


def _label_chart(labels: list[str], counts: dict[str, int], colours: dict[str, str]) -> str:
    total = sum(counts.values()) or 1
    widest = max(counts.values(), default=0) or 1
    span = _CHART_WIDTH - _NAME_WIDTH - _COUNT_WIDTH
    parts = []
    for row, label in enumerate(labels):
        y = row * _ROW_HEIGHT + 6
        n = counts.get(label, 0)
        width = span * n / widest
        parts.append(_row_name(y, label))
        if n:
            parts.append(
                f'<rect x="{_NAME_WIDTH}" y="{y}" width="{width:.1f}" height="{_BAR_HEIGHT}" rx="2" '
                f'{_fill(label, colours)} data-label="{escape(label)}" data-count="{n}">'
                f"<title>{escape(label)}: {n}</title></rect>"
            )
        parts.append(
            f'<text class="count" x="{_NAME_WIDTH + width + 6:.1f}" y="{_baseline(y)}">'
            f"{n} ({n / total:.0%})</text>"
        )
    return _svg("label-chart", "Sentences per label", len(labels), "".join(parts))


def _speaker_chart(
    labels: list[str], speakers: dict[str, dict[str, int]], colours: dict[str, str]
) -> str:
    ranked = sorted(speakers.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    widest = max((sum(c.values()) for _, c in ranked), default=0) or 1
    span = _CHART_WIDTH - _NAME_WIDTH - _COUNT_WIDTH
    parts = []
    for row, (name, counts) in enumerate(ranked):
        y = row * _ROW_HEIGHT + 6
        x = float(_NAME_WIDTH)
        parts.append(_row_name(y, name))
        for label in labels:
            n = counts.get(label, 0)
            if not n:
                continue
            width = span * n / widest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_BAR_HEIGHT}" '
                f'{_fill(label, colours)} data-label="{escape(label)}" data-speaker="{escape(name)}" data-count="{n}">'
                f"<title>{escape(name)}: {escape(label)} {n}</title></rect>"
            )
            if width >= 16:
                parts.append(
                    f'<text class="inside" x="{x + width / 2:.1f}" y="{_baseline(y)}" '
                    f'text-anchor="middle">{n}</text>'
                )
            x += width
        parts.append(
            f'<text class="count" x="{x + 6:.1f}" y="{_baseline(y)}">{sum(counts.values())}</text>'
        )
    chart = _svg("speaker-chart", "Sentences per named speaker", len(ranked), "".join(parts))
    return chart if ranked else chart + '<p class="note">No named speakers in this article.</p>'
