"""Finding/recommendation themes: a versioned data file (data/themes.json), never hard-coded."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "themes.json"


@cache
def themes() -> dict[str, str]:
    """code → Vietnamese label."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {t["code"]: t["label"] for t in data["themes"]}


def theme_choices() -> list[tuple[str, str]]:
    return list(themes().items())


def theme_label(code: str) -> str:
    return themes().get(code, code)
