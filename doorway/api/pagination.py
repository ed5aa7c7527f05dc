from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from rest_framework.pagination import PageNumberPagination

# No list comes near this many rows; a page asked past it is past the last, and counted
# as such, before an offset too large for the database's integers (SQLite's are 64-bit)
# is put in a query.
LARGEST_OFFSET = 2**53


class KeysFirstPaginator(Paginator[Any]):
    """Finds a page's keys first, then reads only those rows.

    A page of a list ordered by something other than an index (contacts newest first,
    across a team's enrolments) makes the database sort every row the caller reaches;
    sorting whole rows (a note, her joined enrolment) costs far more than sorting their
    keys. So the page's keys are found first, sorted and sliced, reading only the
    columns the sort needs (from an index that holds them, where there is one), and the
    page is the rows whose key is one of them: the same rows in the same order.

    The keys come with the count of every row the caller reaches (`COUNT(*) OVER ()`),
    which the answer carries: those rows are found once, not once more for a separate
    COUNT, and the queries are as many as before (keys and count, then the rows). A page
    past the last has no key to carry the count: it is counted as usual, and refused.

    Querysets this cannot rewrite faithfully (distinct, annotated, combined, or not of
    model instances) are sliced as usual."""

    def page(self, number: Any) -> Page[Any]:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not _keys_first(rows):
            return super().page(number)
        keys = self._keys_and_count(rows, number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if keys is None:
            return Page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
        return Page(rows.filter(pk__in=keys[: top - bottom]), number, self)

    def _keys_and_count(self, rows: QuerySet[Any], number: Any) -> list[Any] | None:
        """The keys of page `number` and of the `orphans` rows after it, in order, with
        `count` set from the same query; None (and nothing set) when `number` is not a
        page number or is past the last page."""
        if "count" in self.__dict__:
            return None
        # What `validate_number` accepts, it alone refuses the rest.
        if isinstance(number, float) and not number.is_integer():
            return None
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return None
        if wanted < 1:
            return None
        bottom = (wanted - 1) * self.per_page
        if bottom > LARGEST_OFFSET:
            return None
        found = list(
            rows.annotate(_every_row=Window(Count("pk"))).values_list("pk", "_every_row")[
                bottom : bottom + self.per_page + self.orphans
            ]
        )
        if not found:
            if wanted == 1:
                self.__dict__["count"] = 0
                return []
            return None
        self.__dict__["count"] = found[0][1]
        return [key for key, _ in found]


def _keys_first(rows: QuerySet[Any]) -> bool:
    query = rows.query
    return (
        rows.ordered
        and rows._iterable_class is ModelIterable
        and not query.distinct
        and not query.combinator
        and not query.annotations
        and not query.is_sliced
    )


class Pages(PageNumberPagination):
    """`?page=N&page_size=M`, with `count`, `next` and `previous` beside `results`."""

    django_paginator_class = KeysFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
