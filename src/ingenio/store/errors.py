"""The one error the store raises."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation failed: no connection, a missing row, or a failed write.

    The message is one line, fit to show a user; any password in a database URL
    it names is masked.
    """
