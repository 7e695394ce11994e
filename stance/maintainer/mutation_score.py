"""The mutation score per module after `mutmut run` (`make mutation` prints it).

A mutant is killed when a test fails on it (a timeout counts: the mutant broke something);
it survives when every test passes, or when no test runs the mutated line. Score = killed /
(killed + survived + no tests), per module and overall.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict

_LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x\S*__mutmut_\d+: (?P<status>.+?)\s*$")
_KILLED = {"killed", "timeout", "caught by type check"}
_COUNTED = _KILLED | {"survived", "no tests"}


def tally(lines: list[str]) -> dict[str, Counter]:
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in lines:
        match = _LINE.match(line)
        if match:
            by_module[match["module"]][match["status"]] += 1
    return dict(by_module)


def main() -> int:
    results = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    by_module = tally(results)
    if not by_module:
        print("no mutation results: run `make mutation` first", file=sys.stderr)
        return 1
    total = Counter()
    print(f"{'module':<22}{'killed':>8}{'survived':>10}{'no tests':>10}{'score':>8}")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(_row(module, counts))
    print(_row("all", total))
    return 0


def _row(name: str, counts: Counter) -> str:
    killed = sum(counts[s] for s in _KILLED)
    counted = sum(counts[s] for s in _COUNTED)
    score = killed / counted if counted else 0.0
    return f"{name:<22}{killed:>8}{counts['survived']:>10}{counts['no tests']:>10}{score:>8.1%}"


if __name__ == "__main__":
    raise SystemExit(main())
