"""The one place where the CLI turns errors into a message line and an exit code.

Every command runs its work through :func:`run_guarded`: an :class:`IngenioError` becomes
``error: <message>`` on stderr (a ``DomainError`` lists every issue), any other exception
``error: <Type>: <message>``; both exit 1. ``--debug`` shows the traceback instead.
The words of the CLI are in its language, and so are a service's sentence and the issues
of a bad file (``Translator.issue``: the file, the field path and the value as they are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ingenio.cli.lang import _, marked, tr
from ingenio.domain import DomainError
from ingenio.services.context import Context, cli_context
from ingenio.services.errors import IngenioError

T = TypeVar("T")

err = Console(stderr=True, soft_wrap=True)

__all__ = ["CliState", "context_of", "fail", "run_guarded", "state_of"]


@dataclass
class CliState:
    """What the main callback leaves on ``ctx.obj``: the service context and --debug."""

    context: Context | None = None
    debug: bool = False


def state_of(ctx: typer.Context) -> CliState:
    """The state of the root command (a default one when the callback did not run)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliState) else CliState()


def context_of(ctx: typer.Context) -> Context:
    """The service context the main callback built."""
    found = state_of(ctx).context
    if found is None:  # only when a command function is called without the app
        found = cli_context(None)
    return found


def fail(message: str) -> NoReturn:
    """Stop the command with one clear line on stderr (exit code 1)."""
    raise IngenioError(message, kind="invalid")


def run_guarded(ctx: typer.Context, work: Callable[[], T]) -> T:
    """Run ``work``; turn known errors into one clear line and exit 1 (unless --debug)."""
    try:
        return work()
    except typer.Exit:
        raise
    except DomainError as exc:
        if state_of(ctx).debug:
            raise
        for issue in exc.issues:  # said in the CLI's language; path and value are data
            err.print(tr().issue(issue, exc.source), markup=False, highlight=False)
        said = _("%(count)s error(s); nothing was written.", count=len(exc.issues))
        err.print(marked("red", said))
        raise typer.Exit(1) from None
    except IngenioError as exc:
        if state_of(ctx).debug:
            raise
        # The service's sentence in the CLI's language (English: exactly ``str(exc)``).
        err.print(marked("red", _("error:")) + " " + escape(tr().say(exc.said)), highlight=False)
        raise typer.Exit(1) from None
    except Exception as exc:
        if state_of(ctx).debug:
            raise
        err.print(
            marked("red", _("error:")) + f" {type(exc).__name__}: {escape(str(exc))}",
            highlight=False,
        )
        raise typer.Exit(1) from None
