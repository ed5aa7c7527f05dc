"""{% drafts_script %} in the layout (the script, its settings and its words), and
{% draft_input "<form key>" about object form %} inside a form that keeps drafts."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from doorway.drafts.registry import FIELD, token
from doorway.web.middleware import idle_seconds_left

register = template.Library()

# The warning comes this long before the idle sign-out, or at two thirds of the idle
# time when that is shorter (a short idle time in a test or a strict deployment).
WARN_SECONDS = 180


def warn_seconds(idle: int) -> int:
    return min(WARN_SECONDS, idle // 3)


@register.inclusion_tag("drafts/_script.html", takes_context=True)
def drafts_script(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    idle = int(settings.SESSION_COOKIE_AGE) if session is None else idle_seconds_left(session)
    warn = warn_seconds(int(settings.SESSION_COOKIE_AGE))
    return {
        "signed_in": bool(user is not None and user.is_authenticated),
        "idle_seconds": idle,
        "warn_seconds": warn,
        "warn_minutes": max(1, round(warn / 60)),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def draft_input(
    context: template.Context, form_key: str, about: Any, object_id: Any = "", form: Any = None
) -> SafeString:
    """The hidden field that opts the form in. A form sent back with errors already
    holds her words, so only an empty form asks for her draft."""
    request = context["request"]
    value = token(form_key, about, object_id, request.user.pk)
    if form is not None and form.is_bound:
        return format_html('<input type="hidden" name="{}" value="{}">', FIELD, value)
    return format_html('<input type="hidden" name="{}" value="{}" data-restore>', FIELD, value)
