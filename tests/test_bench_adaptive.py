"""A smoke run of `python -m bench.adaptive` with small numbers: the JSON carries the
issue's keys and the figures are sane."""

import json
from pathlib import Path

from bench import adaptive


def test_adaptive_bench_quick_smoke(tmp_path: Path) -> None:
    out = tmp_path / "adaptive.json"
    figures = adaptive.main(["--quick", "--simulees", "40", "--rounds", "2", "--json", str(out)])
    assert json.loads(out.read_text()) == figures
    for key in ("items_ratio", "r_fixed", "r_adaptive", "max_exposure", "content_balance"):
        assert key in figures
    assert 0 < figures["items_ratio"] <= 1
    assert figures["r_fixed"] > 0.7 and figures["r_adaptive"] > 0.7
    assert figures["content_balance"] < 1  # within one item of every theme's share
    assert 0 < figures["select_cpu_ms_median"] < figures["step_cpu_ms_median"]
    # every target judged, and a quick run says its verdict is not the one that counts
    assert figures["targets"] == {
        "items_ratio": 0.6,
        "max_exposure": 0.25,
        "select_cpu_ms_median": 2.0,
    }
    assert figures["target_met"] == {
        key: figures[key] <= limit for key, limit in figures["targets"].items()
    }
    assert figures["targets_met"] is all(figures["target_met"].values())
    assert "judged on the full run" in figures["note"]


def test_the_delivery_bench_runs_and_reports_the_next_items_cost(tmp_path: Path) -> None:
    from bench import adaptive_delivery

    figures = adaptive_delivery.main(["--quick", "--workdir", str(tmp_path)])
    assert figures["answers"] >= figures["takers"] * 5  # at least min_items each
    assert 0 < figures["choose_cpu_ms_median"] < figures["save_cpu_ms_median"]
