"""The quick exit: a button on every page, or Escape pressed twice, for when someone
looks over her shoulder.

The page it leaves for (GET /leave/) looks like any other site's page: no name, no
logo, no script, nothing that says Doorway. Leaving also signs her out (POST /leave/),
so that a phone picked up by someone else opens on nothing but the sign-in page: the
pages behind her in the back button are never cached (`Cache-Control: no-store`, see
middleware.py), so going back asks the server again, and the server no longer knows
her. quick-exit.js posts the sign-out as a beacon, which the browser sends even as it
leaves the page, and replaces the page with `location.replace`, so the page she was
on leaves the history too; without script the button is a plain form that does both.

The beacon and the neutral page's request race: the sign-out may delete her session
while the page's request holds it. The neutral page therefore never saves the session
(web/middleware.py, SessionMiddleware): whichever lands first, the page is shown.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from doorway.web.middleware import leaves_session_alone

# quick-exit.js adds it to the beacon, whose answer nobody reads.
BEACON_FIELD = "beacon"


@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            # The adapter's logout is what "Sign out" does; the sign-out is audited.
            get_adapter(request).logout(request)
        if request.POST.get(BEACON_FIELD):
            return HttpResponse(status=204)
        response = HttpResponseRedirect(reverse("quick_exit"))
        response.status_code = 303  # See Other: the neutral page, asked for with a GET
        return response
    return leaves_session_alone(render(request, "web/leave.html"))
