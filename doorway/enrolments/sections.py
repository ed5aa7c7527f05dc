"""The parts of the enrolment page that later apps provide (contacts, assessments, plan,
referrals, attendance...), so that this app need not import them.

The page is put together above every app that adds to it, in `doorway.enrolment_page`,
which imports each section by name and hands them to the views as the `page` keyword
of their URLs. A section is a function `(request, enrolment) -> dict | None`: the dict
is merged into the page's context (so its keys carry the app's name) and must hold
`template`, the section's template; None leaves the section out for this person. A
section works in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from doorway.enrolments.models import Enrolment
from doorway.web.http import AuthenticatedHttpRequest

Section = Callable[[AuthenticatedHttpRequest, Enrolment], dict[str, Any] | None]


@dataclass(frozen=True)
class NextAction:
    """A link at the top of the page to the work of the day (record a contact, her plan,
    a referral): on a phone it is the first thing under her name."""

    label: str
    url: str
    # The page's one main action is drawn filled, the others outlined.
    main: bool = False


# `(request, enrolment) -> NextAction | None`; None when this person may not do it.
NextActionOf = Callable[[AuthenticatedHttpRequest, Enrolment], NextAction | None]


@dataclass(frozen=True)
class EnrolmentPage:
    """What the enrolment page shows beyond the enrolment itself."""

    # In the order the page shows them.
    sections: Sequence[Section]
    # The message after a phase move, from `(enrolment, "Done: ...")`: a move can ask
    # for something of a later app (a plan review).
    after_move: Callable[[Enrolment, str], str | SafeString]
    # The links at the top of the page, in this order.
    next_actions: Sequence[NextActionOf] = ()


def enrolment_sections(
    request: AuthenticatedHttpRequest, enrolment: Enrolment, page: EnrolmentPage
) -> dict[str, Any]:
    templates: list[str] = []
    context: dict[str, Any] = {}
    for section in page.sections:
        shown = section(request, enrolment)
        if shown is None:
            continue
        templates.append(shown.pop("template"))
        context.update(shown)
    context["section_templates"] = templates
    context["next_actions"] = [
        action
        for next_action in page.next_actions
        if (action := next_action(request, enrolment)) is not None
    ]
    return context
