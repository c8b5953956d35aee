"""Sentences for users, marked in the pure core and translated at the edges.

The core does no IO and reads no catalogue: it writes each sentence once, in English,
as a template marked with :func:`N_` (so ``python -m ingenio.i18n.extract messages``
finds it) and keeps the values of its ``%(name)s`` placeholders apart in a
:class:`Said`. ``str()`` of a ``Said`` is the English sentence; ``ingenio.i18n.say``
says it in Spanish or Russian.
"""

from __future__ import annotations

from ingenio.errors import N_, Said, Value, render, said

__all__ = ["N_", "Said", "Value", "render", "said"]
