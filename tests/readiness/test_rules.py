"""The pass rules of a PC's readiness check, as plain functions."""

from dataclasses import replace
from datetime import UTC, datetime

from app.readiness import rules

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
GOOD = rules.Measurements(
    local_storage=True,
    session_storage=True,
    fetch=True,
    event_source=True,
    service_worker=False,
    screen=(1280, 1024),
    viewport=(1280, 900),
    latencies_ms=(8.0, 12.0, 9.5, 300.0, 10.0),
    clock_offset_ms=-93_000.0,
    utc_offset_minutes=420,
    time_zone="Asia/Jakarta",
)


def verdicts(measured: rules.Measurements, seb: bool = False) -> dict[str, str | None]:
    return {k: v["verdict"] for k, v in rules.judge(measured, "Asia/Makassar", seb, NOW).items()}


def test_a_good_pc_passes_and_the_informative_checks_never_decide() -> None:
    results = rules.judge(GOOD, "Asia/Makassar", False, NOW)
    assert rules.passed(results)
    assert {k for k, v in results.items() if v["verdict"] == rules.INFO} == {
        "service_worker",
        "clock",
        "time_zone",
        "seb",
    }
    assert results["latency"]["value"] == "10 ms"  # the median: one slow answer does not count
    assert results["clock"]["value"] == "-93 s"  # shown, never used
    assert results["time_zone"]["value"] == "PC UTC+07:00 · UTC+08:00 WITA"
    assert results["screen"]["value"] == "1280×1024 (1280×900)"


def test_each_required_check_fails_the_pc_on_its_own() -> None:
    cases = {
        "storage": replace(GOOD, session_storage=False),
        "fetch": replace(GOOD, fetch=False),
        "event_source": replace(GOOD, event_source=False),
        "screen": replace(GOOD, screen=(1024, 767)),
        "latency": replace(GOOD, latencies_ms=(400.0, 600.0, 700.0, 501.0, 10.0)),
    }
    for code, measured in cases.items():
        found = verdicts(measured)
        assert found[code] == rules.FAIL, code
        assert [k for k, v in found.items() if v == rules.FAIL] == [code]
        assert not rules.passed(rules.judge(measured, "Asia/Makassar", False, NOW))


def test_the_thresholds_are_inclusive_and_need_every_sample() -> None:
    edge = replace(GOOD, screen=(1024, 768), latencies_ms=(500.0,) * 5)
    assert rules.passed(rules.judge(edge, "Asia/Jayapura", False, NOW))
    too_few = replace(GOOD, latencies_ms=(5.0, 5.0))  # the page gave up after two
    assert verdicts(too_few)["latency"] == rules.FAIL
    assert verdicts(replace(GOOD, latencies_ms=()))["latency"] == rules.FAIL


def test_a_wrong_clock_or_zone_does_not_fail_a_pc() -> None:
    skewed = replace(GOOD, clock_offset_ms=3_600_000.0, utc_offset_minutes=-300)
    results = rules.judge(skewed, "Asia/Jakarta", False, NOW)
    assert rules.passed(results)
    assert results["clock"]["value"] == "+3600 s"
    assert results["time_zone"]["value"] == "PC UTC-05:00 · UTC+07:00 WIB"


def test_safe_exam_browser_is_seen_by_its_user_agent_or_its_header() -> None:
    assert rules.is_seb("Mozilla/5.0 (Windows NT 10.0) Chrome/109 SEB/3.5", None)
    assert rules.is_seb("Mozilla/5.0 Chrome/109", "a1b2c3")
    assert not rules.is_seb("Mozilla/5.0 Chrome/109", None)
    assert not rules.is_seb(None, "")
    assert rules.judge(GOOD, "Asia/Makassar", True, NOW)["seb"] == {
        "verdict": rules.INFO,
        "value": "yes",
    }
