"""Every message of every domain (web, CLI, reports, services and validator) has a
translation in es, ru and en, with the same placeholders; numbers and dates follow each
locale."""

from __future__ import annotations

import re

import pytest

from ingenio.i18n import DOMAINS, domain_catalogue, from_environment
from ingenio.i18n.extract import message_ids
from ingenio.web.i18n import LANGUAGES, choose, translator

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_extractor_finds_the_pages_messages() -> None:
    ids = message_ids("web")
    assert "Portfolio board" in ids and "state:stopped" in ids and "cause:grid_outage" in ids
    assert len(ids) > 100


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str, domain: str) -> None:
    translations = domain_catalogue(lang, domain)
    ids = message_ids(domain)
    missing = sorted(m for m in ids if not translations.get(m, "").strip())
    assert not missing, f"{lang}/{domain}: no translation for {missing}"
    for message in ids:
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


def test_the_command_line_language_comes_from_the_environment() -> None:
    assert from_environment({"INGENIO_LANG": "ru", "LANG": "es_CU.UTF-8"}) == "ru"
    assert from_environment({"LANG": "es_CU.UTF-8"}) == "es"
    assert from_environment({"LC_ALL": "ru_RU.UTF-8", "LANG": "es_ES.UTF-8"}) == "ru"
    assert from_environment({"LANG": "C.UTF-8"}) == "en"
    assert from_environment({"LANG": "de_DE.UTF-8"}) == "en"
    assert from_environment({"INGENIO_LANG": "xx", "LANG": "ru_RU"}) == "en"
    assert from_environment({}) == "en"
