"""Domain code speaks in msgids (English); the web layer translates them when it shows them."""


def N_(message: str) -> str:  # noqa: N802 - the conventional name extraction tools look for
    """Mark ``message`` for the translation catalogue without translating it here."""
    return message
