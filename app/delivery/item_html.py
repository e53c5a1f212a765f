"""One item's HTML: the test page's item, the page's prefetched batches and the practice items.

Built here and not through a Jinja include: per item the template made a dozen calls of
gettext and escaping, and a batch of 22 cost a worker ~3 ms of CPU, most of a batch's
price; a whole room asks for its first batch in the same minute as it presses "Mulai tes".
The fixed words are translated once per render, the rest is joined as strings. What an item
looks like is decided here only (taker.js and the stylesheet read these classes and
`data-` attributes).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.delivery.content import ItemView
from app.delivery.plans import SectionPlan
from app.i18n import gettext


@dataclass(frozen=True)
class Words:
    """The fixed words of an item, in one language."""

    item: str  # "Item %(n)s"
    figure: str  # "Figure for item %(n)s"
    options: str
    option: str  # "Option %(label)s"
    doubtful: str
    answer_and_go_on: str
    adaptive_note: str  # "... (at most %(n)s items ...)"

    @classmethod
    def of(cls, locale: str) -> "Words":
        # Our catalogue's words: taken as markup, as Jinja's gettext takes them.
        return cls(
            item=gettext("Item %(n)s", locale),
            figure=gettext("Figure for item %(n)s", locale),
            options=gettext("Answer options", locale),
            option=gettext("Option %(label)s", locale),
            doubtful=gettext("Doubtful (ragu-ragu)", locale),
            answer_and_go_on=gettext("Answer and go on", locale),
            adaptive_note=gettext(
                "In this section each next item is chosen from your answers (at most %(n)s "
                "items; the section may end sooner). Answer one item at a time: there is no "
                "going back to an item once answered.",
                locale,
            ),
        )


def _intro(intro: SectionPlan | None, words: Words) -> str:
    if intro is None or not (intro.instructions or intro.adaptive):
        return ""
    parts = ['<div class="section-intro" role="note">', f"<h2>{escape(intro.title)}</h2>"]
    if intro.instructions:
        parts.append(f"<p>{escape(intro.instructions)}</p>")
    if intro.adaptive:
        note = words.adaptive_note % {"n": intro.item_count}
        parts.append(f'<p class="adaptive-note">{note}</p>')
    parts.append("</div>")
    return "".join(parts)


def item_html(
    item: ItemView,
    words: Words,
    total_items: int | None,
    intro: SectionPlan | None = None,
    practice: bool = False,
) -> Markup:
    """One item's `<article>`; `total_items` None: no "/ N" after its number (practice)."""
    n = item.position
    attributes = (
        f'id="item" class="item" data-position="{n}" data-section="{item.section_position}"'
        f' data-seq="{item.answer_seq or 0}"'
        + (' data-practice="1"' if practice else "")
        + (' data-adaptive="1"' if item.adaptive else "")
    )
    number = words.item % {"n": n}
    if total_items is not None and not practice:
        number += f' <span class="of">/ {total_items}</span>'
    parts = [
        f"<article {attributes}>",
        _intro(intro, words),
        f'<h2 class="item-number">{number}</h2>',
        f'<div class="stem">{escape(item.stem)}</div>',
    ]
    if item.figure:
        parts.append(
            f'<img class="figure" src="{escape(item.figure)}" alt="{words.figure % {"n": n}}">'
        )
    parts.append(
        f'<fieldset class="options"><legend class="visually-hidden">{words.options}</legend>'
    )
    for option in item.options:
        chosen = option.option_id == item.option_id
        label = escape(option.label)
        text = escape(option.text) if option.text else ""
        if option.figure:
            alt = words.option % {"label": label}
            text += f'<img src="{escape(option.figure)}" alt="{alt}">'
        parts.append(
            f'<label class="option{" chosen" if chosen else ""}">'
            f'<input type="radio" name="answer-{n}" value="{escape(option.option_id)}"'
            f' data-label="{label}"{" checked" if chosen else ""}>'
            f'<span class="label" aria-hidden="true">{label}</span>'
            f'<span class="text">{text}</span></label>'
        )
    parts.append("</fieldset>")
    if item.adaptive:
        parts.append(
            '<button type="button" class="button primary adaptive-answer"'
            f" data-adaptive-answer>{words.answer_and_go_on} ›</button>"
        )
    else:
        checked = " checked" if item.flagged else ""
        parts.append(
            f'<label class="flag"><input type="checkbox" name="flag-{n}"{checked}>'
            f" {words.doubtful}</label>"
        )
    parts.append("</article>")
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped or our own


def items_html(
    items: Sequence[ItemView],
    total_items: int,
    intros: Mapping[int, SectionPlan],
    locale: str,
) -> Markup:
    """A batch for the page to keep (its prefetch): the items one after the other."""
    words = Words.of(locale)
    return Markup(  # noqa: S704 - joined from item_html's Markup
        "\n".join(item_html(i, words, total_items, intros.get(i.position)) for i in items)
    )
