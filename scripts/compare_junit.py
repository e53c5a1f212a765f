"""Proves both backends ran the same tests: same test ids, none skipped, none failed, > 0.

Usage: python scripts/compare_junit.py junit-sqlite.xml junit-postgresql.xml
"""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest output
from pathlib import Path


def outcomes(path: Path) -> dict[str, str]:
    root = ET.parse(path).getroot()  # noqa: S314
    result = {}
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        status = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = child.tag
        result[test_id] = status
    return result


def main(first: str, second: str) -> int:
    runs = {Path(p).stem.removeprefix("junit-"): outcomes(Path(p)) for p in (first, second)}
    problems = []
    for backend, cases in runs.items():
        counts = {
            s: sum(1 for v in cases.values() if v == s)
            for s in ("passed", "failure", "error", "skipped")
        }
        print(
            f"{backend:>12}: {len(cases)} tests — "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
        if not cases:
            problems.append(f"{backend}: no tests ran")
        bad = [t for t, s in cases.items() if s != "passed"]
        problems += [f"{backend}: {t} {cases[t]}" for t in bad]
    (a, cases_a), (b, cases_b) = runs.items()
    for test_id in sorted(set(cases_a) ^ set(cases_b)):
        where = a if test_id in cases_a else b
        problems.append(f"only on {where}: {test_id}")
    for problem in problems:
        print("FAIL", problem, file=sys.stderr)
    if not problems:
        print(f"both backends ran the same {len(cases_a)} tests; none skipped or failed")
    passed = sum(1 for cases in runs.values() for s in cases.values() if s == "passed")
    failed = sum(1 for cases in runs.values() for s in cases.values() if s != "passed")
    # The plain closing line CI readers look for, over both backends.
    print(f"{passed} passed, {failed} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
