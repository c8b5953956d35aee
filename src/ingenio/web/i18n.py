"""The web app's language: the shared catalogues of :mod:`ingenio.i18n` and its cookie.

The language of a request is the ``ingenio_lang`` cookie (the user's choice, kept for a
year), else the best match of the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from ingenio.i18n import LANGUAGES, Translator, catalogue, choose, translator

__all__ = ["LANGUAGES", "LANG_COOKIE", "Translator", "catalogue", "choose", "translator"]

LANG_COOKIE = "ingenio_lang"
"""The cookie that keeps a user's choice of language."""
