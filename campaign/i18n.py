"""Domain code speaks in msgids (English); the web layer translates them when it shows them.
An edition's own texts (its questions, its criteria) are dicts by language instead."""

from __future__ import annotations

from collections.abc import Iterable


def N_(message: str) -> str:  # noqa: N802 - the conventional name extraction tools look for
    """Mark ``message`` for the translation catalogue without translating it here."""
    return message


def in_first_language(texts: dict | None, languages: Iterable[str]) -> str:
    """An edition's own text (``{"fr": ..., "en": ...}``) in the first of ``languages`` it is
    written in, else in any language it has, else ""."""
    texts = texts or {}
    return next((texts[c] for c in languages if texts.get(c)), next(iter(texts.values()), ""))
