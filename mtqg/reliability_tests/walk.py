"""The persona walk: log in as a persona, start at `/`, follow every same-site link and submit every
GET form with its default values, breadth first, and collect what a user would trip over.

A problem is recorded for: any 5xx; a 4xx reached from a link, form or redirect the app rendered; a Django
debug page; an identifier or year printed with a thousands separator in a link, form action, field value or data-*
attribute, or a year with a separator in the page's text ("năm 2.020"); a "Xuất Excel"-style download that answers
a web page. Each rendered POST form is kept (action, page, default values) for the role check of part 6.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

# a whole value that is a number with grouping separators: 11.105, 2.025, 1,359 (not 0.5, not 13,5)
GROUPED = re.compile(r"^-?[1-9]\d{0,2}(?:[.,]\d{3})+$")
# a year printed with a separator in running text: "năm 2.020", "Năm 2,025", "year 2,025"
YEAR_IN_TEXT = re.compile(r"(?i)\b(?:năm|year)\s+(?:19|20)?[12][.,]\d{3}\b")
DEBUG_MARKERS = ("You're seeing this error because you have <code>DEBUG = True</code>", 'id="technical')
SKIPPED_PATHS = ("/accounts/logout", "/admin/logout", "/i18n/", "/static/")
# POST forms of the page shell that every signed-in user may use (not data entry)
SHELL_POST_ACTIONS = ("/accounts/logout", "/i18n/setlang")
EXPORT_WORDS = ("xuất excel", "tải xlsx", "tải docx", "tải pdf", "export")


REFUSED = "không có quyền"  # the refusal every service gives (ensure_can_edit and friends)


@dataclass
class PostForm:
    action: str
    page: str
    data: dict[str, str]
    refusals_on_page: int = 0  # how often the page already said REFUSED (help texts), before any post


@dataclass
class Page:
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, link text)
    get_forms: list[str] = field(default_factory=list)  # urls with the default query
    post_forms: list[PostForm] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    text: str = ""


class PageParser(HTMLParser):
    """Links, forms (with default values), separator problems in attributes, and the visible text."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.page = Page()
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._anchor: dict[str, Any] | None = None
        self._skip_text = 0
        self._text: list[str] = []

    # -- attributes -------------------------------------------------------------------------------------
    def _check_attrs(self, tag: str, attrs: dict[str, str]) -> None:
        for name in ("href", "src", "action", "hx-get", "hx-post", "formaction"):
            if name in attrs and grouped_in_url(attrs[name]):
                self.page.problems.append(f"{self.url}: <{tag} {name}={attrs[name]!r}> has a grouped number")
        for name, value in attrs.items():
            if name == "value" and "." in attrs.get("step", "1"):
                continue  # a decimal input (step 0.001): "1.000" is one, not a thousand
            if name == "value" and "data-money" in attrs:
                continue  # a money box (core.widgets.MoneyInput) shows a quantity grouped on purpose: 3.873.000
            if (name == "value" or name.startswith("data-")) and GROUPED.match(value.strip()):
                label = attrs.get("name") or attrs.get("id") or ""
                self.page.problems.append(
                    f"{self.url}: <{tag} {label} {name}={value!r}> has a grouped number"
                )

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        self._check_attrs(tag, attrs)
        if tag in ("script", "style"):
            self._skip_text += 1
        if tag == "a" and attrs.get("href"):
            self._anchor = {"href": attrs["href"], "text": [], "download": "download" in attrs}
        elif tag == "form":
            self._form = {
                "method": attrs.get("method", "get").lower(),
                "action": attrs.get("action") or self.url,
                "data": [],
                "blocked": False,  # a required field left empty: a browser would not submit the form
            }
        elif self._form is not None:
            self._form_field(tag, attrs)

    def _form_field(self, tag: str, attrs: dict[str, str]) -> None:
        assert self._form is not None
        name = attrs.get("name")
        data: list[tuple[str, str]] = self._form["data"]
        if tag in ("input", "textarea") and "required" in attrs and not attrs.get("value"):
            self._form["blocked"] = True
        if tag == "input" and name and attrs.get("type", "text") not in ("file", "submit", "button", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            data.append((name, attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            data.append((name, "\x00"))  # placeholder until an option is chosen
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self._set_select(value)
            if "selected" in attrs:
                self._set_select(value)
        elif tag == "textarea" and name:
            self._textarea = name
            data.append((name, ""))

    def _set_select(self, value: str) -> None:
        assert self._form is not None
        data = self._form["data"]
        for i in range(len(data) - 1, -1, -1):
            if data[i][0] == self._select:
                data[i] = (self._select, value)
                return

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor["text"].append(data)
        if self._textarea and self._form is not None:
            name, value = self._form["data"][-1]
            self._form["data"][-1] = (name, value + data)
        if not self._skip_text:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip_text:
            self._skip_text -= 1
        elif tag == "a" and self._anchor is not None:
            if not self._anchor["download"]:
                self.page.links.append(
                    (self._anchor["href"], " ".join("".join(self._anchor["text"]).split()))
                )
            self._anchor = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self._end_form()

    def _end_form(self) -> None:
        assert self._form is not None
        data = [(k, v) for k, v in self._form["data"] if v != "\x00"]
        action = urljoin(self.url, self._form["action"])
        if self._form["method"] == "post":
            self.page.post_forms.append(PostForm(action, self.url, dict(data)))
        elif not self._form["blocked"]:
            base = action.split("?")[0]
            self.page.get_forms.append(f"{base}?{urlencode(data)}" if data else base)
        self._form = None

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(" ".join(self._text).split())


def grouped_in_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https"):
        return False
    segments = [s for s in parts.path.split("/") if s]
    values = [v for _, v in parse_qsl(parts.query, keep_blank_values=True)]
    return any(GROUPED.match(x) for x in segments + values)


def same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http") and parts.netloc in ("", "testserver")


def normalise(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def route_key(url: str) -> tuple[str, tuple[str, ...]]:
    """Pages of one view with the same query keys count as one route (bounded by `per_route`)."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))


@dataclass
class WalkResult:
    visited: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    post_forms: dict[str, PostForm] = field(default_factory=dict)


def walk(
    client: Any, *, start: str = "/", limit: int = 150, per_route: int = 3, post_per_route: int = 1
) -> WalkResult:
    """Breadth-first walk from `start` with a logged-in test client."""
    result = WalkResult()
    queue: deque[tuple[str, str, str]] = deque([(start, "(start)", "")])
    seen = {normalise(start)}
    per = Counter[tuple[str, tuple[str, ...]]]()
    post_routes = Counter[tuple[str, tuple[str, ...]]]()
    while queue and len(result.visited) < limit:
        url, source, text = queue.popleft()
        key = route_key(url)
        if per[key] >= per_route:
            continue
        per[key] += 1
        response = client.get(url)
        result.visited.append((url, response.status_code))
        for problem in check_response(url, source, text, response):
            result.problems.append(problem)
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            enqueue(queue, seen, target, url, text)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser(url)
        html = response.content.decode("utf-8", "replace")
        parser.feed(html)
        parser.close()
        page = parser.page
        result.problems.extend(page.problems)
        for match in YEAR_IN_TEXT.finditer(page.text):
            result.problems.append(f"{url}: text shows a year with a separator: {match.group(0)!r}")
        for href, link_text in page.links:
            enqueue(queue, seen, urljoin(url, href), url, link_text)
        for form_url in page.get_forms:
            enqueue(queue, seen, form_url, url, "(form)")
        for form in page.post_forms:
            action = normalise(form.action)
            if action.startswith(SHELL_POST_ACTIONS) or action in result.post_forms:
                continue
            if post_routes[route_key(action)] < post_per_route:
                post_routes[route_key(action)] += 1
                form.refusals_on_page = html.lower().count(REFUSED)
                result.post_forms[action] = form
    return result


def enqueue(queue: deque[tuple[str, str, str]], seen: set[str], url: str, source: str, text: str) -> None:
    url = url.split("#")[0]
    if not url or not same_site(url):
        return
    path = urlsplit(url).path
    if path.startswith(SKIPPED_PATHS) or "logout" in path:
        return
    key = normalise(url)
    if key in seen:
        return
    seen.add(key)
    queue.append((key, source, text))


def check_response(url: str, source: str, text: str, response: Any) -> list[str]:
    status = response.status_code
    where = f"{url} (from {source}, link {text!r})"
    problems = []
    if status >= 500:
        problems.append(f"{where}: server error {status}")
    elif 400 <= status < 500:
        problems.append(f"{where}: answers {status} to a link the app rendered")
    elif status in (301, 302) and "/accounts/login" in response.get("Location", ""):
        problems.append(f"{where}: sends a signed-in user to the login page")
    content_type = response.get("Content-Type", "")
    if "text/html" in content_type:
        body = response.content.decode("utf-8", "replace")
        if any(marker in body for marker in DEBUG_MARKERS):
            problems.append(f"{where}: Django debug page")
        if status == 200 and text.lower().startswith(EXPORT_WORDS):
            problems.append(f"{where}: a download link answers a web page")
    return problems
