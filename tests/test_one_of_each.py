"""One owner for each of these: a second copy drifts (three cookie setters with different
flags, two item-maximum rules that disagreed on an item without points). Each test fails when
the thing shows up in app/ outside its owner module."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

OWNERS = {
    # htmx's request header, read in one place
    "app/web/htmx.py": [re.compile(r"HX-Request", re.IGNORECASE)],
    # every cookie with the same flags (HttpOnly, Secure per settings)
    "app/web/cookies.py": [re.compile(r"\.(set|delete)_cookie\(")],
    # every CSV the product writes goes through the spreadsheet-formula guard
    "app/kit/streaming.py": [re.compile(r"\bcsv\.(writer|DictWriter)\(")],
    # what an answer earns and an item's maximum (docs/scoring.md §1)
    "app/bank/points.py": [
        re.compile(r"\bdef (item_points|item_maximum|option_points)\b"),
        re.compile(r"\bmax\(\(?\s*[\w.]+\.points\b"),
        re.compile(r"(?<![\w.])option == \w+\.key\b"),
    ],
}


def copies_outside_owners(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "app").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for owner, patterns in OWNERS.items():
            if name == owner:
                continue
            for pattern in patterns:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{name}:{line}: {match.group(0)!r} belongs in {owner}")
    return found


def test_each_owner_exists_and_holds_its_thing() -> None:
    for owner, patterns in OWNERS.items():
        text = (ROOT / owner).read_text(encoding="utf-8")
        assert any(p.search(text) for p in patterns), owner


def test_no_copy_outside_its_owner() -> None:
    assert copies_outside_owners(ROOT) == []


@pytest.mark.parametrize(
    "line",
    [
        'fragment = request.headers.get("hx-request")',
        'response.set_cookie("x", "y")',
        'response.delete_cookie("x")',
        "writer = csv.writer(handle)",
        'maximum = max((v.points or {"x": 1}).values())',
        "return int(option == version.key)",
        "def item_points(v, option):",
    ],
)
def test_the_check_catches_a_copy(tmp_path: Path, line: str) -> None:
    module = tmp_path / "app" / "elsewhere.py"
    module.parent.mkdir()
    module.write_text(f"{line}\n")
    assert len(copies_outside_owners(tmp_path)) == 1
