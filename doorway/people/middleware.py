from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from doorway.people.signin import needs_second_factor


class RequireSecondFactorMiddleware:
    """Every signed-in staff account must have a second factor before it sees anything
    else. Demo accounts are let through only while the demo setting is on."""

    # The pages she needs to set up the second factor (allauth asks for the password
    # again when the sign-in is more than a few minutes old), or to leave.
    allowed_url_names = frozenset(
        {
            "mfa_activate_totp",
            "account_reauthenticate",
            "mfa_reauthenticate",
            "account_logout",
            "account_login",
            "quick_exit",
        }
    )
    allowed_prefixes = ("/static/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not self._allowed(request):
            return self._send_to_setup(request)
        return self.get_response(request)

    def _allowed(self, request: HttpRequest) -> bool:
        if request.path.startswith(self.allowed_prefixes):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in self.allowed_url_names

    def _send_to_setup(self, request: HttpRequest) -> HttpResponse:
        url = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            # A redirect would be followed inside the page fragment; ask htmx to leave.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        messages.info(request, _("Set up your authenticator app before you continue."))
        return redirect(url)
