"""Actuals sheets (Excel or CSV): the template to fill in, and reading a filled one back.

:mod:`.sheet` writes the template and reads a file whole (every problem listed at
once); :mod:`.columns` says what each sheet's columns hold and how a cell is read.
"""

from ingenio.formats.actuals.columns import SPECS, SheetSpec
from ingenio.formats.actuals.sheet import INSTRUCTIONS, read_actuals, write_template

__all__ = ["INSTRUCTIONS", "SPECS", "SheetSpec", "read_actuals", "write_template"]
