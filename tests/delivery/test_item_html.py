"""The item's HTML (app/delivery/item_html.py): what taker.js and the stylesheet read, the
taker's answer shown, and the bank's text escaped."""

from markupsafe import Markup

from app.delivery.content import LABELS, Content, ItemView, OptionView
from app.delivery.item_html import Words, item_html, items_html
from app.delivery.plans import SectionPlan

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'


def _item(position: int, chosen: str | None = None, flagged: bool = False, **kw) -> ItemView:
    content = Content.of(
        "Berapa <b>2 & 3</b>?",
        SVG,
        [{"id": "o1", "text": "5 < 6"}, {"id": "o2", "text": None, "figure_svg": SVG}],
    )
    options = [OptionView(o, LABELS[i], *content.options[o]) for i, o in enumerate(["o2", "o1"])]
    return ItemView(position, 1, content.stem, content.figure, options, chosen, flagged, 7, **kw)


def test_an_item_escapes_the_banks_text_and_shows_the_answer_and_the_doubt() -> None:
    html = item_html(_item(12, chosen="o1", flagged=True), Words.of("id"), 700)
    assert isinstance(html, Markup)
    assert "Berapa &lt;b&gt;2 &amp; 3&lt;/b&gt;?" in html and "5 &lt; 6" in html
    assert 'data-position="12" data-section="1" data-seq="7"' in html
    assert 'Soal 12 <span class="of">/ 700</span>' in html
    assert '<img class="figure" src="data:image/svg+xml;base64,' in html
    # Options in the form's order, labelled A, B: the figure option first, the chosen second.
    figure_option = html.index('value="o2" data-label="A">')
    assert figure_option < html.index('value="o1" data-label="B" checked>')
    assert '<label class="option chosen">' in html and 'name="flag-12" checked>' in html


def test_a_batch_carries_each_sections_intro_and_the_adaptive_item_its_button() -> None:
    intro = SectionPlan(2, "Numerik", "numerik", 40, None, "Kerjakan & teliti", 11, 50, True)
    batch = items_html([_item(10), _item(11, adaptive=True)], 700, {11: intro}, "en")
    first, second = batch.split("\n")
    assert "section-intro" not in first and 'name="flag-10">' in first
    assert "<h2>Numerik</h2><p>Kerjakan &amp; teliti</p>" in second
    assert "(at most 40 items;" in second and 'data-adaptive="1"' in second
    assert "data-adaptive-answer>Answer and go on ›</button>" in second
    assert 'name="flag-11"' not in second


def test_a_practice_item_has_no_total() -> None:
    html = item_html(_item(1), Words.of("id"), None, practice=True)
    assert 'data-practice="1"' in html and 'class="of"' not in html
