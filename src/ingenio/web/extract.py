"""The web app's message ids, extracted with Babel from the templates and the web code.

``python -m ingenio.web.extract`` adds every new message id to the three catalogues
(with an empty translation, which the catalogue test then reports) and keeps the
translations already there.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ingenio.web.i18n import LANGUAGES, LOCALE_DIR

__all__ = ["message_ids", "update_catalogues"]

HERE = Path(__file__).resolve().parent
METHODS = [("**/templates/**.html", "jinja2"), ("*.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def message_ids() -> dict[str, str]:
    """Every message id of the web app, with the first place it appears."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        HERE, METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None}
    ):
        if isinstance(message, str) and message not in found:
            found[message] = f"{filename}:{lineno}"
    return found


def update_catalogues() -> dict[str, int]:
    """Add new message ids to each catalogue; returns the count of untranslated ones."""
    ids = message_ids()
    missing: dict[str, int] = {}
    for lang in LANGUAGES:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open("rb") as f:
                cat = read_po(f, locale=lang)
        else:
            cat = Catalog(locale=lang, project="ingenio", fuzzy=False)
        for message, where in ids.items():
            if message not in cat:
                cat.add(message, "", locations=[(where.rsplit(":", 1)[0], 0)])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, cat, width=100, omit_header=False, sort_output=True)
        missing[lang] = sum(1 for m in cat if m.id and not m.string)
    return missing


if __name__ == "__main__":
    print(update_catalogues())
