"""Key figures on the home page, per unit. Each program app adds its provider function to this explicit list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

from mtqg.geo.models import UnitVersion

# "module:function" names; each function(unit, user) returns a list of {"label", "value", "url"?} dicts.
FIGURE_PROVIDERS: list[str] = [
    "mtqg.poverty.figures:home_figures",
    "mtqg.finance.figures:home_figures",
    "mtqg.ocop.figures:home_figures",
    "mtqg.ntm.figures:home_figures",
    "mtqg.supervision.figures:home_figures",
    "mtqg.planning.figures:home_figures",
    "mtqg.workflow.figures:home_figures",
]


def _load(name: str) -> Callable[[UnitVersion, Any], list[dict[str, Any]]]:
    return import_string(name.replace(":", "."))  # "package.module:function"


def key_figures(unit: UnitVersion, user: Any) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    for name in FIGURE_PROVIDERS:
        figures.extend(_load(name)(unit, user))
    return figures
