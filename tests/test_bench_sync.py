"""A smoke run of `python -m bench.sync --quick`: package out, sitting, results back, and the
figures the docs quote."""

import json
from pathlib import Path

from bench import sync


def test_sync_bench_quick_smoke(tmp_path: Path) -> None:
    out = tmp_path / "sync.json"
    figures = sync.main(["--quick", "--json", str(out), "--workdir", str(tmp_path / "work")])
    assert json.loads(out.read_text()) == figures
    assert (figures["participants"], figures["form_items"]) == (20, 30)
    assert figures["loaded_attempts"] == 20 and figures["loaded_answers"] == 20 * 30
    assert figures["journal_rows"] == 20 * 33 and figures["results_complete"] is True
    for key in ("package", "load_package", "results", "load_results"):
        assert figures[f"{key}_seconds"] > 0
    assert figures["package_bytes"] > 0 and figures["results_bytes"] > 0
