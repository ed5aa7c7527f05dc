"""What the caseload page's cards say, worked out once per page in Python.

A program manager's page holds 50 women and about 280 badges. Done by template tags per
badge (a sentence translated around a formatted date, a URL reversed, the same words
translated again, a dozen lookups), this was most of the page's time. Here each date is
formatted once, each sentence and word looked up once per page, the links put together
from one reversed pattern, and each card's list of badges written out as plain HTML,
every value escaped; the template prints the card around it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import quote
from uuid import UUID

from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from doorway.caseload.queries import Badge, Row

_ZERO = UUID(int=0)


def linker(name: str) -> Callable[[Any], str]:
    """The URL named `name` for an object's id: reversed once, the id put in after."""
    pattern = reverse(name, args=[_ZERO])
    return lambda pk: pattern.replace(str(_ZERO), str(pk))


class _Page:
    """What every card of one page shares: the words, the links, the dates formatted."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.back = request.get_full_path()
        self.back_query = "&back=" + quote(self.back, safe="/")
        self.was_due = gettext("%(label)s · was due %(day)s")
        self.due = gettext("%(label)s · due %(day)s")
        self.snooze = escape(gettext("Snooze"))
        self.lift = escape(gettext("Lift the snooze"))
        self.enrolment_page = linker("enrolment_detail")
        self.snooze_page = linker("caseload_snooze")
        self.lift_page = linker("caseload_lift_snooze")
        self.days: dict[datetime.date, str] = {}
        self._csrf = ""

    def day(self, day: datetime.date) -> str:
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = date_format(day)
        return text

    def csrf(self) -> str:
        if not self._csrf:
            self._csrf = str(csrf_input(self.request))
        return self._csrf


def dress(rows: Iterable[Row], request: HttpRequest) -> None:
    """Set on each row its link and its badges' HTML; on each badge its colour, its
    sentence ("Contact due · was due 3 Dec 2026") and its snooze link, which brings her
    back to the page as asked (`request`)."""
    page = _Page(request)
    for row in rows:
        pk = row.enrolment.pk
        row.link = page.enrolment_page(pk)
        snooze = page.snooze_page(pk)
        items = []
        for badge in row.badges:
            sentence = page.was_due if badge.state == "overdue" else page.due
            # As {% blocktranslate %}: the values escaped, the translated words as they are.
            badge.when = sentence % {
                "label": escape(badge.label),
                "day": escape(page.day(badge.due_on)),
            }
            if badge.snooze is not None or badge.state == "later":
                badge.css = "text-bg-light border"
            elif badge.state == "overdue":
                badge.css = "text-bg-danger"
            else:
                badge.css = "text-bg-warning"
            subject = f"&subject={badge.subject_id}" if badge.subject_id else ""
            badge.snooze_url = f"{snooze}?kind={badge.kind}{subject}{page.back_query}"
            items.append(_badge(badge, row, page))
        row.badges_html = mark_safe("\n".join(items))  # noqa: S308 - every value escaped


def _badge(badge: Badge, row: Row, page: _Page) -> str:
    """One badge: what is due and when, and snoozing it (or who snoozed it, why, and
    lifting the snooze)."""
    html = (
        '<li class="caseload-badge">\n'
        f'<span class="badge {badge.css}">{escape(badge.text)}</span>\n'
        f'<span class="small text-body-secondary">{badge.when}</span>\n'
    )
    if badge.snooze is not None:
        snoozed = badge.snooze
        by = snoozed.snoozed_by.get_full_name() or snoozed.snoozed_by.username
        until = gettext("Snoozed until %(day)s by %(by)s:") % {
            "day": escape(page.day(snoozed.until)),
            "by": escape(by),
        }
        html += (
            f'<div class="small caseload-snoozed">{until} '
            f'<span translate="no" data-her-words>{escape(snoozed.reason)}</span>\n'
            f'<form method="post" action="{page.lift_page(row.enrolment.pk)}" '
            f'class="d-inline">{page.csrf()}'
            f'<input type="hidden" name="snooze" value="{snoozed.pk}">'
            f'<input type="hidden" name="back" value="{escape(page.back)}">'
            '<button class="btn btn-link btn-sm p-0 align-baseline caseload-action" '
            f'type="submit">{page.lift}</button></form>\n'
            "</div>\n"
        )
    elif badge.state != "later":
        html += (
            f'<a class="small caseload-action" href="{escape(badge.snooze_url)}">{page.snooze}'
            f'<span class="visually-hidden"> {escape(badge.text)}, '
            f"{escape(row.participant.code)}</span></a>\n"
        )
    return html + "</li>"
