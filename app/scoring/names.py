"""Subtests by name in the page's language, never by their code ("sjt") on a page."""

from sqlalchemy.orm import Session

from app.bank import repository as bank_repository
from app.web.templating import current_locale


def subtest_names(db: Session) -> dict[str, str]:
    english = current_locale.get() == "en"
    return {
        code: (subtest.name_en if english and subtest.name_en else subtest.name)
        for code, subtest in bank_repository.subtests_by_code(db).items()
    }
