"""Text a client sends, checked once for every dialect.

No parameter of any API means to carry a control character (tab and line breaks aside), and
PostgreSQL refuses NUL in text outright: let one through and the request ends in a 500 on
PostgreSQL while SQLite stores it. Each dialect reads its parameters through ``check_text``.
"""

from __future__ import annotations

import re

from trunkline.domain.errors import InvalidParameter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def check_text(name: str, value: str) -> str:
    """``value`` unchanged, or InvalidParameter naming ``name`` if it holds a control character."""
    if has_control(value):
        raise InvalidParameter(f"{name} contains a control character", parameter=name)
    return value


def control_in_document(document: object, where: str = "") -> str | None:
    """Where in a parsed JSON or YAML document (keys and values, at any depth) a string holds a
    control character, as ``a.b[2]``; None when nowhere. The admin API's documents (flows,
    scenarios, traffic) carry free text that ends up in the store, as dialect parameters do."""
    if isinstance(document, str):
        return (where or "body") if has_control(document) else None
    if isinstance(document, dict):
        for key, value in document.items():
            inner = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and has_control(key):
                return where or "body"
            found = control_in_document(value, inner)
            if found is not None:
                return found
    elif isinstance(document, list | tuple):
        for index, value in enumerate(document):
            found = control_in_document(value, f"{where}[{index}]")
            if found is not None:
                return found
    return None
