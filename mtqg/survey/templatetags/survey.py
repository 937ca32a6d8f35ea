from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def answer(answers: dict[str, Any], key: str) -> Any:
    """An answer by question id (template lookups cannot take a variable key)."""
    return answers.get(key)
