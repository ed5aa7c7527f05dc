"""A language whose catalogue marks every message it translates, for tests that check a
message goes through Django's translation functions: under it, a translated message
comes out starting with `MARK`, an untranslated one does not."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import translation
from django.utils.translation import trans_real

MARK = "»"
LANGUAGE = "x-marked"


class Marked(gettext.NullTranslations):
    """A catalogue that translates every message by marking it."""

    def gettext(self, message: str) -> str:
        return MARK + message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return MARK + (singular if n == 1 else plural)

    def to_language(self) -> str:
        return LANGUAGE


def _catalogues() -> dict[str, object]:
    # Django keeps its catalogues in a private cache (which django-stubs does not
    # declare): the one way to add a language without writing a .po file to the tree.
    catalogues: dict[str, object] = vars(trans_real)["_translations"]
    return catalogues


@contextmanager
def marked_language() -> Iterator[None]:
    _catalogues()[LANGUAGE] = Marked()
    try:
        with translation.override(LANGUAGE):
            yield
    finally:
        _catalogues().pop(LANGUAGE, None)
