"""Exceptions shared across layers."""


class NotFound(LookupError):
    """A lookup by a user-given key (a unit code, …) that found nothing; its message is Vietnamese.
    The API answers 404 with that message (mtqg.core.api.errors)."""
