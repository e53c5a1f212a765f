"""The load bench's report: where in a phase its slow requests came from."""

from bench.load.report import slow_line


def test_slow_requests_are_grouped_into_runs_of_consecutive_seconds() -> None:
    started = [0.5, 1.2, 1.9, 2.1, 100.3, 234.1, 234.5, 235.2, 240.0]
    line = slow_line(started, 312)
    assert "9, started in 7 of the 312 seconds, in 4 runs" in line
    assert "0–2 s: 4, 100 s: 1, 234–235 s: 3, 240 s: 1" in line


def test_only_the_five_largest_runs_are_shown_in_time_order() -> None:
    started = [float(s) for s in (0, 10, 10, 20, 20, 20, 30, 40, 40, 50, 50, 50, 50)]
    line = slow_line(started, 60)
    assert "in 6 runs" in line
    assert line.endswith("(largest: 0 s: 1, 10 s: 2, 20 s: 3, 40 s: 2, 50 s: 4)")
