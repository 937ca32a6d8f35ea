"""Compare two signed-off snapshots figure by figure (nested dicts flattened to dotted keys)."""

from __future__ import annotations

from typing import Any

from .models import Snapshot


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(data, list):
        out = {}
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
        return out
    return {prefix: data}


def figures_of(snap: Snapshot) -> Any:
    """A report that lists its sourced figures (the briefing: "figures") is compared on those, not on its prose."""
    data = snap.figures
    if isinstance(data, dict) and isinstance(data.get("figures"), dict):
        return data["figures"]
    return data


def compare(a: Snapshot, b: Snapshot) -> list[dict[str, Any]]:
    """One row per figure present in either snapshot: key, value in a, value in b, changed."""
    fa, fb = flatten(figures_of(a)), flatten(figures_of(b))
    return [
        {"key": k, "a": fa.get(k), "b": fb.get(k), "changed": fa.get(k) != fb.get(k)}
        for k in sorted(set(fa) | set(fb))
    ]
