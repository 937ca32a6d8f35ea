"""URLs of the pages every screen links to (navigation, menus, the base template), reversed once per process.

`reverse()` costs ≈ 25 µs of CPU; the base template and the navigation called it about 23 times on every page
(decision 0821). A URL name without arguments always reverses to the same path for the same URLconf, script
prefix and language, so those three are the memo's key (a deployment under a sub-path or with translated URL
patterns gets its own entries).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


@cache
def _reverse(name: str, urlconf: Any, prefix: str, language: str | None) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def page_url(name: str) -> str | None:
    """reverse(name) of a URL name without arguments, memoised; None when the name does not exist (yet)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # outside a request: the setting (tests override it)
    return _reverse(name, urlconf, get_script_prefix(), get_language())
