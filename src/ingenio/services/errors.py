"""The errors services raise, for the edges that map them (``ingenio.errors`` re-exported),
and the translator that says their sentences in the caller's language (``ingenio.i18n``
re-exported for the API, which imports only the services and the domain)."""

from __future__ import annotations

from ingenio.errors import KINDS, N_, ErrorKind, IngenioError, Said, said
from ingenio.i18n import Translator, choose, translator

__all__ = [
    "KINDS",
    "N_",
    "ErrorKind",
    "IngenioError",
    "Said",
    "Translator",
    "choose",
    "said",
    "translator",
]
