"""Documents typed into the console's textareas (scenario rules, traffic generators, flows)."""

from __future__ import annotations

from typing import Any

import yaml

from trunkline.domain.errors import InvalidParameter


def parse_document(text: str, what: str) -> Any:
    """A JSON or YAML document typed into a textarea (YAML reads JSON too); ``InvalidParameter``
    naming the line otherwise."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise InvalidParameter(f"the {what} is not valid JSON or YAML{where}") from None


def to_yaml(document: Any) -> str:
    """A stored document shown for editing: YAML, keys in their stored order."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
