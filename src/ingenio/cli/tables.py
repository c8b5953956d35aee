"""Rich tables for narrow terminals: numbers, ids and dates are never cut, text wraps."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.table import Table


def fitted_table(
    title: str,
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    wrap: Collection[str] = (),
    right: Collection[str] = (),
) -> Table:
    """A table whose columns keep their full width; those in ``wrap`` wrap between words.

    Parameters
    ----------
    title : str
        The table's title.
    heads : sequence of str
        Column headers.
    rows : sequence of sequences of str
        The cells, one sequence per row.
    wrap : collection of str
        Columns of free text that may wrap when the terminal is narrow.
    right : collection of str
        Columns aligned right (numbers).

    Returns
    -------
    rich.table.Table
        The table.
    """
    table = Table(title=title)
    for i, head in enumerate(heads):
        kept = head not in wrap
        texts = [r[i] for r in rows] if kept else [w for r in rows for w in r[i].split()]
        longest = max((len(t) for t in texts), default=0)
        table.add_column(
            head,
            justify="right" if head in right else "left",
            no_wrap=kept,
            overflow="fold",
            min_width=min(longest, 40) if not kept else max(longest, len(head)),
        )
    for row in rows:
        table.add_row(*row)
    return table
