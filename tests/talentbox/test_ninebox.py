"""The 9-box SVG: colours from app.css that pass WCAG AA, names screen readers can match to
what is seen, and its words in the page's language."""

import re
from pathlib import Path

import pytest

from app.talentbox.ninebox import nine_box_svg
from app.talentbox.settings import load_settings
from app.web.templating import current_locale

CSS = Path(__file__).resolve().parents[2] / "app" / "web" / "static" / "css" / "app.css"
COUNTS = {9: 1, 5: 12}


def relative_luminance(colour: str) -> float:
    """WCAG 2.x: sRGB channels linearised, weighted 0.2126 / 0.7152 / 0.0722."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(one: str, other: str) -> float:
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def box_colours() -> dict[int, tuple[str, str]]:
    """Each box's (fill, text) as app.css defines them: `.ninebox .box-N, … { --fill; --text }`."""
    found = {}
    rule = re.compile(r"((?:\.ninebox \.box-\d,?\s*)+)\{\s*--fill:\s*(#\w+);\s*--text:\s*(#\w+);")
    for selectors, fill, text in rule.findall(CSS.read_text()):
        for number in re.findall(r"\.box-(\d)", selectors):
            found[int(number)] = (fill, text)
    return found


def test_the_contrast_ratio_is_computed_as_wcag_defines_it() -> None:
    assert contrast_ratio("#000", "#fff") == pytest.approx(21)
    assert contrast_ratio("#fbc02d", "#ffffff") == pytest.approx(1.66, abs=0.01)  # issue 22


def test_every_box_number_has_aa_contrast_on_its_fill() -> None:
    colours = box_colours()
    assert sorted(colours) == list(range(1, 10))
    ratios = {n: round(contrast_ratio(fill, text), 2) for n, (fill, text) in colours.items()}
    assert {n: r for n, r in ratios.items() if r < 4.5} == {}


def test_the_svg_leaves_colours_to_the_stylesheet() -> None:
    svg = nine_box_svg(load_settings(), COUNTS, "/k/{box}")
    assert "fill=" not in svg  # a colour here would override nothing and escape the check
    assert sorted(int(n) for n in re.findall(r'class="box box-(\d)"', svg)) == list(range(1, 10))


def test_links_are_named_by_their_visible_text_inside_a_group() -> None:
    """axe: label-content-name-mismatch (aria-label "Kotak 5: 12 pegawai" over the visible
    "Kotak 5" and "12") and nested-interactive (links inside role="img")."""
    svg = nine_box_svg(load_settings(), COUNTS, "/k/{box}")
    assert 'role="img"' not in svg and 'role="group"' in svg
    assert "aria-label=" not in svg
    cell = re.search(r'<a href="/k/5".*?</a>', svg, re.S).group(0)
    assert re.sub(r"<[^>]+>", " ", cell).split() == ["Kotak", "5", "12", "pegawai"]


def test_the_svg_speaks_the_page_language() -> None:
    token = current_locale.set("en")
    try:
        svg = nine_box_svg(load_settings(), COUNTS, "/k/{box}")
    finally:
        current_locale.reset(token)
    assert "Box 9" in svg and "1 official<" not in svg and ">official<" in svg
    assert "High potential" in svg and "Kotak" not in svg and "Potensi" not in svg
    assert ">officials<" in svg  # 0 and 12
