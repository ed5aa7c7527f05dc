"""The API tokens page of her account, and the API's documentation page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from doorway.api.forms import TokenForm
from doorway.api.models import AccessToken
from doorway.api.tokens import issue_token, revoke_token
from doorway.web.forms import apply_errors
from doorway.web.http import AuthenticatedHttpRequest

SHOWN_FIELDS = (
    "id",
    "name",
    "scope",
    "prefix",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
)


def _rows(tokens: QuerySet[AccessToken]) -> list[tuple[AccessToken, str]]:
    now = timezone.now()
    return [(token, token.status_at(now)) for token in tokens.only(*SHOWN_FIELDS)]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Her tokens, and the form to make one. A new token is shown in the answer to the
    POST that made it, once: it is kept nowhere, so reloading never shows it again."""
    form = TokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = issue_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["expires"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            form = TokenForm()
    # Her tokens in use; the revoked and expired ones (each run of a script that makes
    # a token leaves one) are counted, and listed only when she asks (`?past=1`).
    live = AccessToken.objects.filter(owner=request.user).usable()
    past = AccessToken.objects.filter(owner=request.user).past()
    showing_past = request.GET.get("past") == "1"
    # never_cache: the page may hold a new token, and no cache may keep it.
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "rows": _rows(live),
            "past_rows": _rows(past) if showing_past else None,
            "past_count": past.count(),
            "created": created,
            "secret": secret,
            # From her own row: the page asks no query of its own for it (making the
            # token, above, still asks her authenticators).
            "no_second_factor": not request.user.has_second_factor,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthenticatedHttpRequest, token_id: Any) -> HttpResponse:
    """Asks first (GET), revokes on POST. Only her own tokens: another's answers 404."""
    token = get_object_or_404(AccessToken, pk=token_id, owner=request.user)
    if request.method == "POST":
        if token.revoked_at is None:
            revoke_token(token, actor=request.user, request=request)
            messages.success(
                request,
                gettext("Token %(prefix)s… (%(name)s) is revoked: it no longer works.")
                % {"prefix": token.prefix, "name": token.name},
            )
        return redirect("token_list")
    return render(request, "api/token_revoke.html", {"token": token})


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the schema, from vendored files and one script of ours (no
    inline script or style, as the CSP requires)."""
    return render(request, "api/docs.html")


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, JSON unless YAML is asked for (`?format=yaml`), so that its
    errors (a 429, say) are JSON problems like every other answer of the API.

    The schema is the same for everyone and for the life of the process, and making it
    takes seconds of CPU: it is made once per process, not once per request."""

    renderer_classes = [
        OpenApiJsonRenderer,
        OpenApiJsonRenderer2,
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
    ]

    def _get_schema_response(self, request: Any) -> Response:
        if "schema" not in _SCHEMA:
            generator = self.generator_class(urlconf=self.urlconf, patterns=self.patterns)
            _SCHEMA["schema"] = generator.get_schema(  # type: ignore[no-untyped-call]  # drf-spectacular: get_schema is unannotated
                request=request, public=self.serve_public
            )
        renderer = self.perform_content_negotiation(request, force=True)[0]
        filename = f"doorway-api.{renderer.format}"
        return Response(
            data=_SCHEMA["schema"],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )


_SCHEMA: dict[str, Any] = {}
