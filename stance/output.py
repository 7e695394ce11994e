"""How `stance predict` writes its rows: table, JSON or CSV, one row at a time (streams)."""

from __future__ import annotations

import csv
import json
from typing import TextIO


class PredictionWriter:
    """Writes tagged rows as they come: an aligned table, a JSON array, or CSV with one
    ``p_<label>`` column per label (in the model's order).

    ``inputs`` names the input file's other columns (``id``, say): JSON and CSV rows carry
    them first, as they came, so the output joins back to the input. One whose name is taken
    by an output column (a gold ``label``, say) is written as ``input_<name>``."""

    def __init__(
        self, out: TextIO, fmt: str, labels: list[str], explain: bool, inputs: list[str] = ()
    ):
        self.out, self.fmt, self.labels, self.explain = out, fmt, labels, explain
        self.count = 0
        taken = {"text", "label", "confidence", "probabilities", "explanation"}
        taken |= {f"p_{label}" for label in labels}
        self.inputs = {name: f"input_{name}" if name in taken else name for name in inputs}
        if fmt == "csv":
            self.csv = csv.writer(out)
            header = ["text", "label", "confidence", *[f"p_{label}" for label in labels]]
            header = [*self.inputs.values(), *header]
            self.csv.writerow(header + (["explanation"] if explain else []))
        elif fmt == "json":
            out.write("[")
        else:
            out.write(f"{'label':<14}{'conf':>6}  text\n")

    def write(self, row: dict, source: dict | None = None) -> None:
        """``row`` as `StanceModel.tag` makes it (plus ``explanation``); ``source`` the input
        record it came from, whose ``inputs`` columns go first."""
        given = {new: (source or {}).get(old, "") for old, new in self.inputs.items()}
        if self.fmt == "json":
            self.out.write(
                ("," if self.count else "")
                + "\n  "
                + json.dumps({**given, **row}, ensure_ascii=False)
            )
        elif self.fmt == "csv":
            cells = [*given.values(), row["text"], row["label"], f"{row['confidence']:.4f}"]
            cells += [f"{row['probabilities'][label]:.4f}" for label in self.labels]
            if self.explain:
                cells.append("; ".join(f"{g} ({w:+.3f})" for g, w in row["explanation"]))
            self.csv.writerow(cells)
        else:
            self.out.write(f"{row['label']:<14}{row['confidence']:>6.2f}  {row['text']}\n")
            if self.explain and row["explanation"]:
                self.out.write(
                    " " * 22
                    + "because: "
                    + ", ".join(f"{g} ({w:+.2f})" for g, w in row["explanation"])
                    + "\n"
                )
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
