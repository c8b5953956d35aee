"""Every message of the web app has a translation in es, ru and en, with the same
placeholders; numbers and dates follow each locale."""

from __future__ import annotations

import re

import pytest

from ingenio.web.extract import message_ids
from ingenio.web.i18n import LANGUAGES, catalogue, choose, translator

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_extractor_finds_the_pages_messages() -> None:
    ids = message_ids()
    assert "Portfolio board" in ids and "state:stopped" in ids and "cause:grid_outage" in ids
    assert len(ids) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    translations = catalogue(lang)
    missing = sorted(m for m in message_ids() if not translations.get(m, "").strip())
    assert not missing, f"{lang}: no translation for {missing}"
    for message in message_ids():
        got = set(PLACEHOLDER.findall(translations[message]))
        assert got == set(PLACEHOLDER.findall(message)), (lang, message)


def test_numbers_and_dates_in_each_locale() -> None:
    assert translator("es").number(1234.5) == "1.234,5"
    assert translator("ru").number(1234.5) == "1\xa0234,5"
    assert translator("en").number(1234.5) == "1,234.5"
    assert translator("ru").when("2026-04-06T14:30:00") == "06.04.2026, 14:30"
    assert translator("ru").gettext("Board") == "Сводка"


def test_the_language_comes_from_the_cookie_then_the_browser() -> None:
    assert choose("ru", "es-ES,es;q=0.9") == "ru"
    assert choose(None, "es-CU,es;q=0.9,en;q=0.5") == "es"
    assert choose("xx", "de-DE,de;q=0.9") == "en"
    assert choose(None, None) == "en"
