"""Base class for expected refusals (time is up, wrong option …).

A refusal is an answer, not a failure: state changes made before it (the attempt's clock
being brought up to date, say) are valid and are committed; any other exception rolls back.

A refusal carries a catalogue message (an English msgid marked with N_) and its parameters,
never finished text: `message` renders it in the language of the request being answered (or
the CLI's), so one refusal reads in Indonesian on an Indonesian page and in English on an
English one. `code` stays the same in every language: API clients read that.
"""

from collections.abc import Mapping

from app.i18n import N_, current_locale, gettext


class Refusal(Exception):
    status = 400
    code = "refused"
    message_id = N_("The request could not be processed.")

    def __init__(self, message_id: str | None = None, /, **params: object) -> None:
        if message_id is not None:
            self.message_id = message_id
        self.params: Mapping[str, object] = params
        super().__init__(self.message_id)

    @property
    def message(self) -> str:
        """The message in the current language."""
        return self.message_in(current_locale.get())

    def message_in(self, locale: str) -> str:
        text = gettext(self.message_id, locale)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message
