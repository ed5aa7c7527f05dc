"""{% participant_search_box %}: the participant search in the navigation, on every page,
for those who may search participants (`permissions.searches_participants`)."""

from __future__ import annotations

from typing import Any

from django import template

from doorway.participants.permissions import searches_participants

register = template.Library()


@register.inclusion_tag("participants/_nav_search.html", takes_context=True)
def participant_search_box(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"shown": searches_participants(user), "csrf_token": context.get("csrf_token")}
