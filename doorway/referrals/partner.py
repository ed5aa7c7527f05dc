"""The partner's page of a referral link: no sign-in, outside any staff session.

Whoever opens it is a partner agency, never a signed-in person: the request's user is
set aside, so that the audit names no actor and nothing of a staff session is used or
saved. The answer is never cached or indexed, and its address (the token) is never sent
to another site (`Referrer-Policy: same-origin`; "no-referrer" would make the browser
send `Origin: null` with the partner's answer, which the CSRF check rightly refuses).
Tokens that match no link are counted per address, as refused API tokens are
(`BadTokenThrottle`): past the limit every token from that address waits. What it
shows and how an answer lands: `doorway.referrals.links`. The page speaks the language
the partner's browser asks for, with the language switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from doorway.api.throttles import BadTokenThrottle
from doorway.referrals.actions import MAX_NOTE
from doorway.referrals.links import (
    LinkDead,
    PartnerView,
    Sections,
    alive,
    answer_link,
    answers_for,
    find_link,
    open_link,
)
from doorway.referrals.models import PartnerLink
from doorway.web.forms import BootstrapForm, apply_errors
from doorway.web.middleware import leaves_session_alone

# Unknown tokens per address before every token from there waits.
BAD_LINK_RATE = "20/min"


class BadLinkThrottle(BadTokenThrottle):
    scope = "partner_link_bad_token"

    def get_rate(self) -> str | None:
        return super().get_rate() or BAD_LINK_RATE


class AnswerForm(BootstrapForm, forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you decline. Read only by her worker's team."),
    )

    def __init__(self, *args: Any, answers: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer_%s")
        super().__init__(*args, **kwargs)
        field: Any = self.fields["answer"]
        field.choices = answers
        self.style_fields()


@contextmanager
def token_hidden(request: HttpRequest, token: str) -> Iterator[None]:
    """While her record is read and written: the audit log keeps the request's path,
    and the token in it would open the page; it keeps "/r/…/" instead."""
    path = request.path
    request.path = path.replace(token, "…")
    try:
        yield
    finally:
        request.path = path


def private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return leaves_session_alone(response)


def not_found(request: HttpRequest) -> HttpResponse:
    return private(render(request, "referrals/partner/not_found.html", status=404))


def dead(request: HttpRequest, link: PartnerLink) -> HttpResponse:
    program = link.referral.enrolment.cycle.program
    return private(render(request, "referrals/partner/dead.html", {"program": program}, status=410))


def page(
    request: HttpRequest, view: PartnerView, form: AnswerForm, status: int = 200
) -> HttpResponse:
    context = {
        "view": view,
        "referral": view.referral,
        "program": view.referral.enrolment.cycle.program,
        "participant": view.referral.enrolment.participant,
        "form": form,
    }
    return private(render(request, "referrals/partner/link.html", context, status=status))


@require_http_methods(["GET", "POST"])
def partner_link(request: HttpRequest, token: str, sections: Sections) -> HttpResponse:
    request.user = AnonymousUser()
    throttle = BadLinkThrottle()
    # The throttle reads only the address (META) and the cache: a page's request serves.
    counted: Any = request
    wait = throttle.refuses(counted)
    if wait is not None:
        response = render(request, "referrals/partner/too_many.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return private(response)
    link = find_link(token)
    if link is None:
        throttle.failed(counted)
        return not_found(request)
    try:
        if request.method == "POST":
            return answered(request, token, link, sections)
        with token_hidden(request, token):
            view = open_link(link, sections)
    except LinkDead:
        return dead(request, link)
    return page(request, view, AnswerForm(answers=view.answers))


def answered(
    request: HttpRequest, token: str, link: PartnerLink, sections: Sections
) -> HttpResponse:
    if not alive(link)[0]:
        raise LinkDead(link)
    form = AnswerForm(request.POST, answers=answers_for(link.referral))
    if form.is_valid():
        try:
            with token_hidden(request, token):
                update = answer_link(
                    link, status=form.cleaned_data["answer"], reason=form.cleaned_data["reason"]
                )
        except ValidationError as refusal:
            apply_errors(form, refusal)
        else:
            context = {
                "status": update.get_status_display(),
                "program": link.referral.enrolment.cycle.program,
            }
            return private(render(request, "referrals/partner/thanks.html", context))
    # Shown again with what was typed: another opening, audited like the first.
    with token_hidden(request, token):
        view = open_link(link, sections)
    return page(request, view, form, status=400)
