"""Which language a page speaks, and the switch in the header that changes it.

A signed-in person's own choice (`User.language`) wins; without one, Django's
LocaleMiddleware has already followed the language cookie, then the browser. Choosing
in the switch while signed in saves the choice on her account, so it follows her to
another computer; the cookie is set too, so the sign-in page after she signs out stays
in her language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from doorway.people.models import Language


def chosen_language(request: HttpRequest) -> str:
    """The language her account asks for, or '' (follow the cookie and the browser)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return str(getattr(user, "language", "") or "")


class AccountLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in person's saved language is the page's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, back to `next`), and her account remembers it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if (
        language in Language.values
        and user is not None
        and user.is_authenticated
        and getattr(user, "language", None) != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response
