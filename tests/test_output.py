"""What `stance predict` writes, byte for byte, for rows whose values are given here."""

from __future__ import annotations

import csv
import io
import json

import pytest

from stance.output import PredictionWriter

LABELS = ["conciliatory", "rejecting"]
ROWS = [
    {
        "text": "We will not sign.",
        "label": "rejecting",
        "confidence": 0.91234,
        "probabilities": {"conciliatory": 0.08766, "rejecting": 0.91234},
        "explanation": [["not sign", 0.51], ["will", -0.0049]],
    },
    {
        "text": 'Our door, "as ever", remains open.',
        "label": "uncertain",
        "confidence": 0.5,
        "probabilities": {"conciliatory": 0.5, "rejecting": 0.5},
        "explanation": [],
    },
]


def written(fmt: str, explain: bool, rows=ROWS) -> str:
    out = io.StringIO()
    writer = PredictionWriter(out, fmt, LABELS, explain)
    for row in rows:
        writer.write(row)
    writer.close()
    return out.getvalue()


def test_table():
    assert written("table", explain=False) == (
        "label           conf  text\n"
        "rejecting       0.91  We will not sign.\n"
        'uncertain       0.50  Our door, "as ever", remains open.\n'
    )


def test_table_with_explanations_only_where_there_are_some():
    assert written("table", explain=True) == (
        "label           conf  text\n"
        "rejecting       0.91  We will not sign.\n"
        "                      because: not sign (+0.51), will (-0.00)\n"
        'uncertain       0.50  Our door, "as ever", remains open.\n'
    )


def test_json_is_one_array_of_the_rows():
    text = written("json", explain=False)
    assert json.loads(text) == ROWS
    assert text.startswith('[\n  {"text": "We will not sign."')
    assert text.endswith("}\n]\n")
    assert text.count("\n  {") == 2  # one row per line
    assert written("json", explain=False, rows=[]) == "[]\n"
    accented = written("json", explain=False, rows=[{**ROWS[0], "text": "Genève"}])
    assert "Genève" in accented  # not \u00e8


def test_csv_columns_and_rounding():
    text = written("csv", explain=False)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["text", "label", "confidence", "p_conciliatory", "p_rejecting"],
        ["We will not sign.", "rejecting", "0.9123", "0.0877", "0.9123"],
        ['Our door, "as ever", remains open.', "uncertain", "0.5000", "0.5000", "0.5000"],
    ]
    assert text.startswith("text,label,confidence,p_conciliatory,p_rejecting\r\n")
    assert '"Our door, ""as ever"", remains open."' in text  # quoted as CSV quotes


def test_csv_with_explanations():
    rows = list(csv.reader(io.StringIO(written("csv", explain=True))))
    assert rows[0][-1] == "explanation"
    assert rows[1][-1] == "not sign (+0.510); will (-0.005)"
    assert rows[2][-1] == ""
    assert len({len(row) for row in rows}) == 1


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_no_rows_leaves_only_the_frame(fmt):
    expected = {
        "table": "label           conf  text\n",
        "json": "[]\n",
        "csv": "text,label,confidence,p_conciliatory,p_rejecting\r\n",
    }[fmt]
    assert written(fmt, explain=False, rows=[]) == expected


def test_input_columns_come_first_and_a_taken_name_is_prefixed():
    out = io.StringIO()
    writer = PredictionWriter(out, "csv", LABELS, False, inputs=["id", "label", "p_rejecting"])
    writer.write(ROWS[0], {"id": "a1", "text": "x", "label": "neutral", "p_rejecting": 3})
    writer.write(ROWS[1], {"id": "a2", "text": "y"})  # a missing column stays empty
    writer.close()
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [
        "id",
        "input_label",
        "input_p_rejecting",
        "text",
        "label",
        "confidence",
        "p_conciliatory",
        "p_rejecting",
    ]
    assert rows[1][:5] == ["a1", "neutral", "3", "We will not sign.", "rejecting"]
    assert rows[2][:4] == ["a2", "", "", 'Our door, "as ever", remains open.']
    out = io.StringIO()
    writer = PredictionWriter(out, "json", LABELS, False, inputs=["id", "label"])
    writer.write(ROWS[0], {"id": 7, "label": "neutral"})
    writer.close()
    (row,) = json.loads(out.getvalue())
    assert list(row)[:4] == ["id", "input_label", "text", "label"]
    assert row["id"] == 7 and row["input_label"] == "neutral" and row["label"] == "rejecting"
