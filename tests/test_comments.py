"""Comments say why, not what a benchmark run measured once: figures go stale with the next
run, so they live in bench/README.md ("Figures behind the code") and a comment points there."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FIGURES = [
    re.compile(r"\bp(50|95|99)\b\s*(of\s+[\w ]+?\s*)?[~≈]?\d"),  # "p99 186", "p99 of batches 129"
    re.compile(r"\d[\d,.]*\s*(ms|µs|s|MB|MiB|%)?\s*(->|→)\s*[~≈]?\d"),  # "186 -> 91 ms"
    re.compile(r"\d[\d,.]*\s*(saves|requests|req|pings|rows)/s\b"),  # "542 saves/s"
]


def sources(root: Path) -> list[Path]:
    paths = sorted((root / "app").rglob("*.py"))
    static = root / "app" / "web" / "static" / "js"
    return paths + sorted(static.glob("*.js"))


def figures_in_comments(root: Path) -> list[str]:
    """Lines of app/ (Python and our JavaScript) that spell a benchmark figure: in practice
    comments and docstrings, since code has no reason to."""
    found = []
    for path in sources(root):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if any(p.search(line) for p in FIGURES):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_no_benchmark_figures_in_comments() -> None:
    assert figures_in_comments(ROOT) == []


@pytest.mark.parametrize(
    "line",
    [
        "# (bench/load closed loop): save p99 186 -> 91 ms",
        "# one stall of the steady phase (p99 of batches 129 ms)",
        '"""The save went from 234 → 542 saves/s."""',
        "// server memory 165 -> 626 MB",
    ],
)
def test_the_check_catches_a_figure(tmp_path: Path, line: str) -> None:
    module = tmp_path / "app" / "elsewhere.py"
    module.parent.mkdir()
    module.write_text(f"{line}\n")
    assert len(figures_in_comments(tmp_path)) == 1
