"""What every API resource over participant records shares.

- Reach: `reached(queryset)` narrows to what the caller may see, through the one access
  rule (`visible_to`); a record outside it answers 404, like one that does not exist,
  and the attempt is audited as refused, as on the pages.
- Audit: a list records whose records it showed; a single read records a view.
- Versions: a single record carries an ETag; a change must send it back in If-Match
  (428 without), and is refused with 412 if someone changed the record in between.
  `If-Match: *` matches whatever version the record has now (RFC 9110, 13.1.1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from django.db import models, transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from doorway.api.problems import PreconditionRequired
from doorway.api.strict import UnknownParameters
from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.concurrency import StaleVersion, lock_if_current, version_of

if TYPE_CHECKING:
    from doorway.people.models import User

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the record as you read it. A change made by someone else "
    "since then is not overwritten: the answer is 412.",
)
PROBLEM = OpenApiResponse(description="A problem (application/problem+json).")
# The error answers resources document, by kind of operation.
READ_ERRORS = {403: PROBLEM, 404: PROBLEM}
LIST_ERRORS = {400: PROBLEM, **READ_ERRORS}
CHANGE_ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 412: PROBLEM, 428: PROBLEM}


def etag_of(instance: models.Model, extra: tuple[Any, ...] = ()) -> str:
    return f'"{version_of(instance, *extra)}"'


def _strip_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def filter_parameters(filterset_class: Any) -> set[str]:
    """The query parameters a django-filter FilterSet reads: a filter's name, or its
    name with each suffix of a range (`happened_on_after`, `happened_on_before`)."""
    names: set[str] = set()
    for name, found in filterset_class.base_filters.items():
        suffixes = getattr(found.field_class.widget, "suffixes", None)
        if suffixes is None:
            widget = found.extra.get("widget")
            suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def lock_matching[M: models.Model](
    instance: M, if_match: str | None, extra_of: Callable[[M], tuple[Any, ...]] | None = None
) -> M:
    """Inside a transaction: `instance`, locked and read again, if its version now is
    one that the If-Match header `if_match` names. 428 without the header; 412 when the
    record changed since; `*` matches any version it has now. `extra_of(fresh)` gives
    what the version needs beyond the row (as `version_of`'s `extra`)."""
    if not if_match or not if_match.strip():
        raise PreconditionRequired()
    fresh = lock_if_current(instance, None)
    if if_match.strip() == "*":
        return fresh
    named = {_strip_etag(tag) for tag in if_match.split(",") if tag.strip()}
    extra = extra_of(fresh) if extra_of is not None else ()
    if version_of(fresh, *extra) not in named:
        raise StaleVersion()
    return fresh


class RecordViewSet(viewsets.GenericViewSet[Any]):
    """Subclasses set `queryset` (or override `base_queryset`), `reached` and, where a
    record is hers, `participant_of`."""

    lookup_value_regex = "[0-9a-f-]{36}"
    # Query parameters the view (or, given in `@action(...)`, one action) takes beyond
    # its filters, its paging and `format`. Any other is refused (doorway/api/strict.py).
    query_parameters: Iterable[str] = ()

    def base_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] | None = getattr(type(self), "queryset", None)
        assert queryset is not None, "set queryset or override base_queryset"
        return queryset.all()

    def reached(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of `queryset` the caller may see. Every resource must say."""
        raise NotImplementedError

    def participant_of(self, instance: Any) -> Any:
        """The participant a record is about (an id), for the audit log; None if none."""
        return None

    def version_extra(self, instance: Any) -> tuple[Any, ...]:
        """What the record's version needs beyond its own row (its many-to-many links)."""
        return ()

    def load_rows(self, rows: list[Any]) -> None:
        """What a list's rows need beyond their query, read for the whole page at once
        (a resource may read several relations in one query rather than a prefetch each)."""

    def get_queryset(self) -> QuerySet[Any]:
        return self.reached(self.base_queryset())

    def caller(self) -> User:
        """The member of staff making the request (the permission class let only a
        signed-in, active account through)."""
        return cast("User", self.request.user)

    # --- what her role may do ----------------------------------------------------------

    def role_refusal(self, user: User) -> str:
        """What the caller's role may not do here, as a plain sentence (answered 403), or
        "" when it may. Resources answer by asking the capability rule
        (`doorway.people.capabilities.may`). Checked before any record is looked up, so
        that a role never allowed learns nothing about records."""
        return ""

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        refusal = self.role_refusal(self.caller())
        if refusal:
            raise exceptions.PermissionDenied(refusal)

    @property
    def writes(self) -> bool:
        request: Request | None = getattr(self, "request", None)
        return request is not None and request.method not in SAFE_METHODS

    # --- what a request may say --------------------------------------------------------

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        accepted = self.accepted_parameters()
        unknown = set(request.query_params) - accepted
        if unknown:
            raise UnknownParameters(unknown, accepted)

    def accepted_parameters(self) -> set[str]:
        """The query parameters this action takes: its filters, its paging if it is a
        list, `format`, and those it declares."""
        accepted = {api_settings.URL_FORMAT_OVERRIDE or "format", *self.query_parameters}
        paginator = self.paginator
        if paginator is not None and not self.detail:
            accepted.add(getattr(paginator, "page_query_param", "page"))
            size = getattr(paginator, "page_size_query_param", None)
            if size:
                accepted.add(size)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            accepted |= filter_parameters(filterset_class)
        return accepted

    # --- reads -------------------------------------------------------------------------

    def get_object(self) -> Any:
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        queryset = self.filter_queryset(self.get_queryset())
        instance = queryset.filter(**{self.lookup_field: lookup}).first()
        if instance is None:
            record(
                Action.REFUSED,
                request=self.request,
                detail={
                    "object_type": queryset.model._meta.label,
                    "object_id": str(lookup),
                    **self.audit_via(),
                },
            )
            raise exceptions.NotFound("No such record.")
        self.check_object_permissions(self.request, instance)
        return instance

    def audit_list(self, rows: list[Any]) -> None:
        # The model only: not `get_queryset()`, which would build the reach rule again.
        model = self.base_queryset().model
        shown = sorted({str(p) for p in (self.participant_of(r) for r in rows) if p})
        record(
            Action.LIST,
            request=self.request,
            detail={
                "api": model._meta.label,
                "count": len(rows),
                "shown": shown,
                **self.audit_via(),
            },
        )

    def audit_view(self, instance: Any) -> None:
        record(
            Action.VIEW,
            request=self.request,
            participant=self.participant_of(instance),
            subject=instance,
            detail=self.audit_via() or None,
        )

    def audit_via(self) -> dict[str, str]:
        """Which token made the request (its prefix, never the token), so that whatever
        a lost token read can be found in the audit log."""
        token = getattr(self.request, "auth", None)
        prefix = getattr(token, "prefix", None)
        return {"token": prefix} if prefix else {}

    def with_etag(self, response: Response, instance: Any) -> Response:
        response["ETag"] = etag_of(instance, self.version_extra(instance))
        return response

    def lock_current(self, instance: Any) -> Any:
        """For a change that is not a PUT or PATCH (a status move, say): inside a
        transaction, `instance` locked and fresh; 428 without If-Match, 412 if it
        changed since the caller read it."""
        return lock_matching(instance, self.request.headers.get("If-Match"), self.version_extra)


class ListMixin(RecordViewSet):
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self.load_rows(rows)
        self.audit_list(rows)
        data = self.get_serializer(rows, many=True).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)


class RetrieveMixin(RecordViewSet):
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        self.audit_view(instance)
        response = Response(self.get_serializer(instance).data)
        return self.with_etag(response, instance)


class ReadOnlyRecordViewSet(ListMixin, RetrieveMixin):
    pass


class VersionedUpdateMixin(RecordViewSet):
    """PUT and PATCH need If-Match. The row is locked, its version compared, and only
    then is `perform_update(serializer)` called, inside the same transaction."""

    def perform_update(self, serializer: Any) -> None:
        """Write through the app's actions, which check its rules; never a bare save."""
        raise NotImplementedError

    @extend_schema(parameters=[IF_MATCH], responses={412: PROBLEM, 428: PROBLEM})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        expected = request.headers.get("If-Match")
        if not expected:
            raise PreconditionRequired()
        instance = self.get_object()
        with transaction.atomic():
            instance = lock_matching(instance, expected, self.version_extra)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        return self.with_etag(response, instance)

    @extend_schema(parameters=[IF_MATCH], responses={412: PROBLEM, 428: PROBLEM})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)
