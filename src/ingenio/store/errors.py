"""The one error the store raises."""

from __future__ import annotations

from typing import ClassVar

from ingenio.errors import ErrorKind, IngenioError


class StoreError(IngenioError):
    """A store operation failed: no connection, a missing row, or a failed write.

    The message is one line, fit to show a user; any password in a database URL
    it names is masked. Kind ``unavailable`` unless raised with another (a missing
    row is ``not_found``, a bad name ``invalid``).
    """

    default_kind: ClassVar[ErrorKind] = "unavailable"
