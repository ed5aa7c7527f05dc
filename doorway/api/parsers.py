"""The API's one body parser: JSON, refused with a 400 when it is not JSON or is nested
deeper than any Doorway resource (Python's parser would otherwise run out of stack on
`[[[[…` and answer 500)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest Doorway body is a few levels (a plan's goals' steps); 32 leaves room.
MAX_DEPTH = 32


def depth(data: Any) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def too_deep() -> ParseError:
    return ParseError(
        _("The JSON is nested more than %(limit)d levels deep. Nothing was saved.")
        % {"limit": MAX_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        if depth(data) > MAX_DEPTH:
            raise too_deep()
        return data
