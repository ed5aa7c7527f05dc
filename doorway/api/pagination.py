from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from rest_framework.pagination import PageNumberPagination


class KeysFirstPaginator(Paginator[Any]):
    """Finds a page's keys first, then reads only those rows.

    A page of a list ordered by something other than an index (contacts newest first,
    across a team's enrolments) makes the database sort every row the caller reaches;
    sorting whole rows (a note, her joined enrolment) costs far more than sorting their
    keys. So the page is `rows whose key is in (the page's keys, sorted and sliced)`:
    one query still, the same rows in the same order, and the sort reads only the
    columns it sorts by (from an index that holds them, where there is one).

    Querysets this cannot rewrite faithfully (distinct, annotated, combined, or not of
    model instances) are sliced as usual."""

    def page(self, number: Any) -> Page[Any]:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not _keys_first(rows):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = rows.values("pk")[bottom:top]
        return Page(rows.filter(pk__in=keys), number, self)


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
