"""The one place that sets and clears the product's cookies, so every cookie gets the same
flags: HttpOnly (no script of ours reads one) and Secure wherever the site is served over
HTTPS (`cookie_secure`). Session cookies (staff, taker, results page) and the CSRF token are
SameSite=Strict; the flash message and the language choice are Lax so that they survive the
redirect or link that brings the user back from elsewhere."""

from typing import Literal

from fastapi import Response

from app.config import get_settings


def set_cookie(
    response: Response,
    name: str,
    value: str,
    *,
    samesite: Literal["strict", "lax"] = "strict",
    max_age: int | None = None,
    path: str = "/",
) -> None:
    """Set a cookie; without `max_age` it lasts as long as the browser session."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite=samesite,
        secure=get_settings().cookie_secure,
        path=path,
    )


def clear_cookie(response: Response, name: str, path: str = "/") -> None:
    """Remove a cookie (the path must be the one it was set with)."""
    response.delete_cookie(name, path=path)
