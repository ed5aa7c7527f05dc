"""Every API error is an `application/problem+json` body (RFC 9457): `type`, `title`,
`status`, `detail`, and for bad input `errors`, keyed by field, in plain words."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from doorway.concurrency import StaleVersion
from doorway.web import errors

PROBLEM_TYPE = errors.PROBLEM_TYPE
logger = logging.getLogger("doorway.api")


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it."
    default_code = "stale"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the record's ETag in an If-Match header, so that a change made by someone "
        "else since you read it is not overwritten."
    )
    default_code = "if_match_required"


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound("No such record.")
    return exc


def _errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Messages by field; a nested field is named by its path ("identity.date_of_birth",
    "aliases.0")."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for field, messages in detail.items():
            # An action's whole-record problem (Django's "__all__") reads as DRF's.
            key = "non_field_errors" if field == "__all__" else str(field)
            for name, found in _errors(messages, f"{prefix}.{key}" if prefix else key).items():
                out.setdefault(name, []).extend(found)
    elif isinstance(detail, list) and any(isinstance(m, dict | list) for m in detail):
        for index, messages in enumerate(detail):
            if messages:
                path = f"{prefix}.{index}" if prefix else str(index)
                for name, found in _errors(messages, path).items():
                    out.setdefault(name, []).extend(found)
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(m) for m in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def problem(status_code: int, detail: str, **extra: Any) -> Response:
    body = errors.problem_body(status_code, detail, **extra)
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, errors.TOO_LARGE):
        return problem(413, errors.too_large_detail())
    if errors.database_unavailable(exc):
        logger.warning("Database unavailable: answered 503 (%s)", type(exc).__name__)
        set_rollback()
        body = problem(503, errors.unavailable_detail())
        body["Retry-After"] = str(errors.RETRY_AFTER)
        return body
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        # Not an API error: a bug. Logged by type only (the message could hold data).
        logger.error("Unhandled %s in the API", type(exc).__name__, exc_info=False)
        set_rollback()
        return problem(500, "Something went wrong on the server. Nothing was changed.")
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["errors"] = _errors(exc.detail)
        detail = "Some fields need attention. Nothing was saved."
    elif isinstance(exc.__dict__.get("detail"), str | exceptions.ErrorDetail):
        detail = str(exc.__dict__["detail"])
    else:
        detail = str(getattr(exc, "detail", "")) or HTTPStatus(response.status_code).phrase
    its_errors = getattr(exc, "errors", None)
    if isinstance(its_errors, dict):
        extra["errors"] = its_errors
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        # Rounded up, as DRF rounds the Retry-After header: never "wait 0 seconds".
        extra["retry_after"] = math.ceil(wait)
    body = problem(response.status_code, detail, **extra)
    for header, value in response.headers.items():
        if header.lower() in {"retry-after", "www-authenticate", "allow"}:
            body[header] = value
    return body
