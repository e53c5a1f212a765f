"""Checks that an SVG figure is inert: no script, no event handlers, no external references.

Figures are shown to takers inside the exam page, so anything that can run code or fetch from
the network is refused rather than cleaned. An allow-list of elements keeps out whatever a
future browser might give behaviour to.
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing is done by defusedxml below

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from app.i18n import N_, translate

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_SVG_BYTES = 200_000

ALLOWED_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "marker",
        "linearGradient",
        "radialGradient",
        "stop",
        "pattern",
        "clipPath",
        "mask",
    ]
)
_URL_REF = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
_DANGEROUS_TEXT = re.compile(r"@import|javascript:|expression\(", re.IGNORECASE)

FORBIDDEN_XML = N_("SVG holds a forbidden XML construct (%(kind)s)")
DANGEROUS_TEXT = N_("the text of <%(name)s> holds @import/javascript:/expression()")
DANGEROUS_ATTRIBUTE = N_("attribute %(name)s holds @import/javascript:/expression()")
EXTERNAL_HREF = N_('external reference %(name)s="%(value)s" is not allowed')
EXTERNAL_URL = N_("external reference url(%(target)s) is not allowed")


def svg_problems(svg_text: str) -> list[str]:
    """Every reason the SVG is refused; an empty list means it is acceptable."""
    if len(svg_text.encode()) > MAX_SVG_BYTES:
        return [translate(N_("SVG larger than %(most)s bytes"), {"most": MAX_SVG_BYTES})]
    try:
        root = SafeET.fromstring(svg_text)
    except DefusedXmlException as exc:
        return [translate(FORBIDDEN_XML, {"kind": type(exc).__name__})]
    except ET.ParseError as exc:
        return [translate(N_("SVG cannot be parsed: %(reason)s"), {"reason": exc})]
    if _local(root.tag) != "svg" or _namespace(root.tag) != SVG_NS:
        return [translate(N_('the root element must be <svg xmlns="http://www.w3.org/2000/svg">'))]
    problems: list[str] = []
    for element in root.iter():
        problems.extend(_element_problems(element))
    return problems


def _element_problems(element: ET.Element) -> list[str]:
    name = _local(element.tag)
    if _namespace(element.tag) != SVG_NS or name not in ALLOWED_ELEMENTS:
        label = "script" if name == "script" else name
        return [translate(N_("element <%(name)s> is not allowed in a figure"), {"name": label})]
    problems = [p for attr, value in element.attrib.items() for p in _attr_problems(attr, value)]
    if element.text and _DANGEROUS_TEXT.search(element.text):
        problems.append(translate(DANGEROUS_TEXT, {"name": name}))
    return problems


def _attr_problems(attr: str, value: str) -> list[str]:
    name = _local(attr).lower()
    if name.startswith("on"):
        return [translate(N_("event handler attribute %(name)s= is not allowed"), {"name": name})]
    if name == "href" and not value.strip().startswith("#"):
        return [translate(EXTERNAL_HREF, {"name": name, "value": value[:60]})]
    problems = [
        translate(EXTERNAL_URL, {"target": target[:60]})
        for target in _URL_REF.findall(value)
        if not target.startswith("#")
    ]
    if _DANGEROUS_TEXT.search(value):
        problems.append(translate(DANGEROUS_ATTRIBUTE, {"name": name}))
    return problems


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
