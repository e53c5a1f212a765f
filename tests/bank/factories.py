"""Small question banks written to a temporary folder."""

from pathlib import Path
from typing import Any

import yaml

SUBTESTS = {
    "subtests": [
        {
            "code": "verbal",
            "name": "Penalaran Verbal",
            "scoring": "keyed",
            "themes": ["sinonim", "analogi"],
        },
        {"code": "sjt", "name": "Tes Situasional", "scoring": "graded"},
        {"code": "numerik", "name": "Penalaran Numerik", "scoring": "keyed"},
    ]
}

STEM_WORDS = [
    "anggaran",
    "pegawai",
    "kantor",
    "dinas",
    "rapat",
    "laporan",
    "wilayah",
    "desa",
    "warga",
    "layanan",
    "program",
    "kegiatan",
    "jadwal",
    "berkas",
    "arsip",
    "surat",
    "kepala",
    "bidang",
    "seksi",
    "camat",
    "lurah",
]


def distinct_stem(n: int) -> str:
    """Stems that share no word bigrams, so they never look like near-duplicates."""
    words = [STEM_WORDS[(n * 7 + i * 3) % len(STEM_WORDS)] for i in range(4)]
    return f"Soal nomor {n}: " + " ".join(f"{w}{n}" for w in words) + "?"


def keyed_item(code: str, n: int = 1, subtest: str = "verbal", **extra: Any) -> dict[str, Any]:
    item = {
        "id": code,
        "subtest": subtest,
        "stem": distinct_stem(n),
        "options": [{"id": letter, "text": f"pilihan {letter} {n}"} for letter in "ABCD"],
        "key": "B",
    }
    if subtest == "verbal":
        item["theme"] = "sinonim"
    item.update(extra)
    return item


def graded_item(code: str, n: int = 1, **extra: Any) -> dict[str, Any]:
    item = {
        "id": code,
        "subtest": "sjt",
        "theme": "integritas",
        "stem": distinct_stem(n),
        "options": [{"id": letter, "text": f"tindakan {letter} {n}"} for letter in "ABCDE"],
        "points": {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1},
    }
    item.update(extra)
    return item


def write_bank(
    root: Path,
    items: list[dict[str, Any]],
    subtests: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
    item_file: str = "items.yaml",
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "subtests.yaml").write_text(yaml.safe_dump(subtests or SUBTESTS), encoding="utf-8")
    (root / item_file).write_text(
        yaml.safe_dump({"items": items}, allow_unicode=True), encoding="utf-8"
    )
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def bank_of(root: Path, verbal: int = 0, numerik: int = 0, sjt: int = 0) -> Path:
    """A valid bank with the given number of items per subtest."""
    items = [keyed_item(f"V{i:04d}", i) for i in range(1, verbal + 1)]
    items += [keyed_item(f"N{i:04d}", 1000 + i, subtest="numerik") for i in range(1, numerik + 1)]
    items += [graded_item(f"S{i:04d}", 2000 + i) for i in range(1, sjt + 1)]
    return write_bank(root, items)


SAFE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
    '<title>persegi</title><rect x="1" y="1" width="8" height="8" fill="none" stroke="black"/>'
    "</svg>"
)
