"""{% memo "name" value ... %}…{% endmemo %}: a part of the page frame rendered once per
process for each combination of the values given (and the language), then reused.

Every signed-in page draws the same menu for the same role on the same page, and the
same drafts dialog: rendering them each time was about 0.9 ms of the minimal page's
floor (issue 18). Only parts that are the same for everyone with those values may be
memoised: never anything about a person (a name, a record) nor a form token (the CSRF
token differs on every page). The values are the whole key: whatever the part shows
must follow from them, the language, the URL prefix and the code.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# A few roles times a few hundred pages times two languages: far below this. Reaching it
# (a key made of something unbounded) starts again from empty rather than growing.
LIMIT = 4096
_rendered: dict[tuple[Any, ...], SafeString] = {}


class MemoNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList, values: list[FilterExpression]) -> None:
        self.name = name
        self.nodelist = nodelist
        self.values = values

    def render(self, context: template.Context) -> SafeString:
        key = (
            self.name,
            get_language(),
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            *(value.resolve(context) for value in self.values),
        )
        found = _rendered.get(key)
        if found is None:
            found = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine, escaped there
            if len(_rendered) >= LIMIT:
                _rendered.clear()
            _rendered[key] = found
        return found


@register.tag("memo")
def memo(parser: Parser, token: Token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('{% memo "name" value ... %} needs a quoted name')
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(bits[1][1:-1], nodelist, [parser.compile_filter(b) for b in bits[2:]])


def forget() -> None:
    """Empty the memo (tests that change what a part shows by other means)."""
    _rendered.clear()
