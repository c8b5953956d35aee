"""Every message id of each domain, extracted with Babel from the code and templates.

``python -m ingenio.i18n.extract [DOMAIN ...]`` adds every new message id to the three
catalogues of those domains (all of them when none is named), with an empty translation
that the catalogue test then reports, and keeps the translations already there.

Sentences are marked with ``_("...")`` or ``gettext("...")`` at the edges and with
``N_("...")`` in the pure core, which only marks them (it reads no catalogue).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ingenio.i18n import DOMAINS, LANGUAGES, catalogue_path

__all__ = ["SOURCES", "message_ids", "update_catalogues"]

PACKAGE = Path(__file__).resolve().parents[1]
PYTHON = [("**.py", "python")]
JINJA = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS: dict[str, None] = {"_": None, "gettext": None, "N_": None}

SOURCES: dict[str, tuple[tuple[str, list[tuple[str, str]]], ...]] = {
    "web": (("web", JINJA),),
    "cli": (("cli", PYTHON),),
    "reports": (("reports", JINJA),),
    "messages": (
        ("services", PYTHON),
        ("api", PYTHON),
        ("validate", PYTHON),
        ("planning", PYTHON),
        ("operations", PYTHON),
        ("domain", PYTHON),
        ("formats", PYTHON),
        ("errors.py", PYTHON),
    ),
}
"""The folders (under ``src/ingenio``) whose marked sentences each domain holds."""


def message_ids(domain: str) -> dict[str, str]:
    """Every message id of a domain, with the first place it appears."""
    found: dict[str, str] = {}
    for folder, methods in SOURCES[domain]:
        root = PACKAGE / folder
        if not root.is_dir():
            continue
        options = {p: {"extensions": "jinja2.ext.i18n"} for p, how in methods if how == "jinja2"}
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root, methods, options_map=options, keywords=KEYWORDS
        ):
            if isinstance(message, str) and message not in found:
                found[message] = f"{folder}/{filename}:{lineno}"
    return found


def update_catalogues(domains: tuple[str, ...] = DOMAINS) -> dict[str, dict[str, int]]:
    """Add new message ids to each catalogue; returns the untranslated count per domain."""
    missing: dict[str, dict[str, int]] = {}
    for domain in domains:
        ids = message_ids(domain)
        missing[domain] = {}
        for lang in LANGUAGES:
            path = catalogue_path(lang, domain)
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
            missing[domain][lang] = sum(1 for m in cat if m.id and not m.string)
    return missing


if __name__ == "__main__":
    print(update_catalogues(tuple(sys.argv[1:]) or DOMAINS))
