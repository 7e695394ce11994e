"""How `stance predict` writes its rows: table, JSON or CSV, one row at a time (streams)."""

from __future__ import annotations

import csv
import json
from typing import TextIO


class PredictionWriter:
    """Writes tagged rows as they come: an aligned table, a JSON array, or CSV with one
    ``p_<label>`` column per label (in the model's order)."""

    def __init__(self, out: TextIO, fmt: str, labels: list[str], explain: bool):
        self.out, self.fmt, self.labels, self.explain = out, fmt, labels, explain
        self.count = 0
        if fmt == "csv":
            self.csv = csv.writer(out)
            header = ["text", "label", "confidence", *[f"p_{label}" for label in labels]]
            self.csv.writerow(header + (["explanation"] if explain else []))
        elif fmt == "json":
            out.write("[")
        else:
            out.write(f"{'label':<14}{'conf':>6}  text\n")

    def write(self, row: dict) -> None:
        if self.fmt == "json":
            self.out.write(
                ("," if self.count else "") + "\n  " + json.dumps(row, ensure_ascii=False)
            )
        elif self.fmt == "csv":
            cells = [row["text"], row["label"], f"{row['confidence']:.4f}"]
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
