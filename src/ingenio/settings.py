"""Every setting of Ingenio in one object, read from ``INGENIO_*`` environment variables.

:class:`Settings` is the one place that reads the environment. Names are case-insensitive;
an ``INGENIO_*`` variable that names no setting is refused (a typo must not be silently
ignored), except ``INGENIO_TEST_*``, kept for the test suite. Values are validated: a bad
one stops with its variable name and value. ``docs/settings.md`` lists them (a test keeps
it in step with :data:`DOCUMENTED`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingenio.errors import IngenioError

ENV_PREFIX = "INGENIO_"
"""Prefix of every environment variable Ingenio reads."""

RESERVED_PREFIX = "INGENIO_TEST_"
"""Variables of the test suite (e.g. ``INGENIO_TEST_PG``), never refused."""

__all__ = ["DOCUMENTED", "ENV_PREFIX", "Settings", "load_settings"]


class Settings(BaseSettings):
    """Ingenio's settings (``INGENIO_<NAME>`` in the environment, or keyword arguments)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", case_sensitive=False, frozen=True
    )

    db: str | None = Field(
        None,
        description="Database URL or SQLite file path; default: ingenio.sqlite in the data dir.",
    )
    actor: str | None = Field(
        None, description="Who acts, for the audit log; default: the operating-system user."
    )
    data_dir: Path | None = Field(
        None,
        description="Folder of the default database; default: the user data dir "
        "(platformdirs, app 'ingenio').",
    )
    timezone: str | None = Field(
        None,
        description="IANA zone of times typed without an offset (actuals commands' "
        "--timezone default).",
    )
    time_limit_s: float = Field(
        10.0, gt=0, description="Default seconds of CP-SAT search per plant for service callers."
    )
    workers: int = Field(1, ge=1, description="Default CP-SAT workers per plant.")
    seed: int = Field(0, description="Default random seed (CP-SAT and scenario sampling).")
    processes: int = Field(2, ge=1, description="Default local processes for scenario runs.")
    password: SecretStr | None = Field(
        None,
        description="Password of `ingenio users add` (never an argument; never printed or logged).",
    )
    lang: str | None = Field(
        None,
        description="Language of the command line's output: es, ru or en (`--lang` wins); "
        "default: the locale (LC_ALL, LC_MESSAGES, LANG), else en.",
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_variables(cls, data: Any) -> Any:
        known = {ENV_PREFIX + name.upper() for name in cls.model_fields}
        unknown = sorted(
            k
            for k in os.environ
            if k.upper().startswith(ENV_PREFIX)
            and not k.upper().startswith(RESERVED_PREFIX)
            and k.upper() not in known
        )
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(known))})")
        return data

    @field_validator("db", "actor", "timezone", "lang", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ("es", "ru", "en"):
            raise ValueError("choose es, ru or en")
        return None if value is None else value.lower()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


DOCUMENTED: tuple[tuple[str, str, str], ...] = tuple(
    (
        ENV_PREFIX + name.upper(),
        "" if f.default is None else str(f.default),
        f.description or "",
    )
    for name, f in Settings.model_fields.items()
)
"""``(variable, default, meaning)`` of every setting, as ``docs/settings.md`` lists them."""


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment (``overrides`` win).

    Raises
    ------
    IngenioError
        Kind ``invalid``, naming the variable and the value, when one is unknown or bad.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        if where:
            message = f"{ENV_PREFIX}{where.upper()}: {message} (got {first.get('input')!r})"
        raise IngenioError(message, kind="invalid") from None
