"""Workflow notifications: placeholder until mtqg.notifications lands."""

from __future__ import annotations


def report_event(report_id: int, event: str) -> None:
    return None
