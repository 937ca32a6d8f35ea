"""Helpers shared by the reliability tests: the Điện Biên snapshot, URL walking, form scraping."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from mtqg.core.models import ChangeRecord
from mtqg.core.scoping import path_q, view_prefixes


def scoped_models() -> list[Any]:
    return [m for m in apps.get_models() if getattr(m, "scope_path", None)]


def snapshot(prefix_user: Any) -> dict[str, str]:
    """A digest of every scoped row inside the user's view scope plus global row counts of every scoped model
    (and ChangeRecord). Equal snapshots before and after mean nothing was written."""
    prefixes = view_prefixes(prefix_user)
    state: dict[str, str] = {}
    for model in scoped_models():
        qs = model._default_manager.filter(path_q(model.scope_path, prefixes)).order_by("pk")
        digest = hashlib.sha256()
        for row in qs.values_list():
            digest.update(repr(row).encode())
        state[model._meta.label] = f"{model._default_manager.count()}:{digest.hexdigest()}"
    state["ChangeRecord.total"] = str(ChangeRecord.objects.count())
    return state


def url_patterns(resolver: Any = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            out.extend(url_patterns(entry, prefix + route))
        elif isinstance(entry, URLPattern):
            out.append((prefix + route, entry))
    return out


IGNORED_ACTIONS = ("/i18n/", "/accounts/logout")  # the language switch and logout forms of base.html


class FormScraper(HTMLParser):
    """Collect name → value of the page's first POST form (not the navigation's language switch or logout form):
    inputs, selects (selected or first option) and textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done and a.get("method", "get").lower() == "post":
            self._in_form = not a.get("action", "").startswith(IGNORED_ACTIONS)
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("file", "submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, a.get("value", "") or "1")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (self._select not in self.data or "selected" in a):
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def scrape_form(html: str) -> dict[str, str]:
    parser = FormScraper()
    parser.feed(html)
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    return data
