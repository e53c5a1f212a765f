"""What the check page and the proctor's "PC readiness" list show, decided here."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.exams.models import ExamSession
from app.i18n import N_, translate
from app.kit.timezones import ABBREVIATIONS, format_local
from app.readiness import repository, rules
from app.readiness.models import PcCheck

VERDICTS = {rules.PASS: N_("passes"), rules.FAIL: N_("fails"), rules.INFO: N_("shown only")}
YES_NO = {"yes": N_("yes"), "no": N_("no")}


@dataclass(frozen=True)
class CheckRule:
    code: str
    name: str
    rule: str
    required: bool


def check_rules() -> list[CheckRule]:
    """Every check with its pass rule, in the page's language."""
    return [
        CheckRule(c.code, translate(c.name), translate(c.rule, rules.RULE_PARAMS), c.required)
        for c in rules.CHECKS
    ]


def result_cells(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Per check: the verdict code, its words and the value, in the page's language."""
    cells = {}
    for check in rules.CHECKS:
        found = results.get(check.code) or {}
        verdict = found.get("verdict") or rules.FAIL
        value = found.get("value") or ""
        cells[check.code] = {
            "verdict": verdict,
            "words": translate(VERDICTS[verdict]),
            "value": translate(YES_NO[value]) if value in YES_NO else value,
        }
    return cells


@dataclass(frozen=True)
class PcRow:
    label: str
    passed: bool
    checked: str  # in the room's zone
    cells: list[dict[str, str]]  # in rules.CHECKS order


def room_checks(db: Session, exam_session: ExamSession) -> list[PcRow]:
    """The room's PCs as last checked, by label."""
    return [
        _row(check, exam_session.time_zone)
        for check in repository.pc_checks_of(db, exam_session.id)
    ]


def _row(check: PcCheck, zone: str) -> PcRow:
    cells = result_cells(check.results)
    return PcRow(
        check.pc_label,
        check.passed,
        format_local(check.checked_at, zone, "%Y-%m-%d %H:%M:%S"),
        [cells[c.code] for c in rules.CHECKS],
    )


def report_reply(check: PcCheck, exam_session: ExamSession) -> dict[str, Any]:
    """The page's answer to a report: the server's verdicts and where they were filed."""
    zone = exam_session.time_zone
    return {
        "passed": check.passed,
        "summary": translate(
            N_("This PC is ready") if check.passed else N_("This PC is not ready")
        ),
        "room": f"{exam_session.venue}, {exam_session.room}",
        "zone": ABBREVIATIONS.get(zone, zone),
        "checked_at": format_local(check.checked_at, zone, "%Y-%m-%d %H:%M:%S"),
        "results": result_cells(check.results),
    }
