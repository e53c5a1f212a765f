"""The Jinja environment and the layout choice for full pages vs htmx fragments."""

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def layout_for(request: Request) -> str:
    """htmx requests get the bare fragment layout; everything else the full page."""
    return "layout_fragment.html" if request.headers.get("HX-Request") else "layout.html"
