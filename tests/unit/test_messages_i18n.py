"""The sentences of the validator and the services, said in Spanish and Russian.

The pure core writes each sentence once in English as a template with named
placeholders (``Said``); ``ingenio.i18n.say`` translates the template and fills the
values, numbers in the locale. English stays byte for byte the core's own text, and a
value is data: never read as a template, never markup.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ingenio.domain import N_, GeneratorRun, Plan, Portfolio, Said, Violation, said
from ingenio.errors import IngenioError
from ingenio.i18n import LANGUAGES, domain_catalogue, say, translator
from ingenio.i18n.extract import message_ids
from ingenio.validate import validate

CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
SPEC = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifgr]")


def _power_violation(portfolio: Portfolio, good_plan: Plan) -> Violation:
    (v,) = validate(portfolio, replace(good_plan, generator_runs=()))
    assert v.rule == "power" and v.said is not None
    return v


def test_a_violation_keeps_its_english_and_its_sentence(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    v = _power_violation(portfolio, good_plan)
    assert v.message.startswith(
        "plant P1 needs 100.0 kW at 2026-04-06 10:00 (minute 600) but has 50.0 kW "
        "(grid off, solar 50.0, generators 0.0)"
    )
    assert v.said is not None and str(v.said) == v.message
    assert say("en", v.said) == v.message
    # the sentence is no part of equality: an old-style violation is the same violation
    assert v == Violation(v.rule, v.message, v.subject)


def test_a_violation_in_russian_and_spanish(portfolio: Portfolio, good_plan: Plan) -> None:
    v = _power_violation(portfolio, good_plan)
    assert v.said is not None
    ru = say("ru", v.said)
    assert ru.startswith(
        "завод P1 требует 100,0 кВт в 2026-04-06 10:00 (минута 600), но имеет 50,0 кВт "
        "(сеть отключена, солнце 50,0, генераторы 0,0)"
    )
    assert "[600, 645)" in ru and "%(" not in ru
    es = say("es", v.said)
    assert es.startswith(
        "la planta P1 necesita 100,0 kW a las 2026-04-06 10:00 (minuto 600), pero tiene "
        "50,0 kW (red apagada, solar 50,0, grupos electrógenos 0,0)"
    )
    assert "le falta potencia" in es and "%(" not in es


def test_every_rule_found_says_itself_in_each_language(
    portfolio: Portfolio, good_plan: Plan
) -> None:
    plan = replace(
        good_plan,
        generator_runs=(GeneratorRun("G9", 10, 5, 60.0), GeneratorRun("G1", 600, 645, 900.0)),
    )
    violations = validate(portfolio, plan)
    assert {v.rule for v in violations} >= {"reference", "generator-load"}
    for v in violations:
        assert v.said is not None and str(v.said) == v.message, v
        assert CYRILLIC.search(say("ru", v.said)), v
        assert say("es", v.said) != v.message, v


def test_hostile_values_stay_data() -> None:
    hostile = "<script>alert(1)</script> %(plant)s %s %% {0}"
    sentence = said(
        N_("plant %(plant)s has generator runs (%(runs)s) but no fuel tank"),
        plant=hostile,
        runs=3,
    )
    for lang in LANGUAGES:
        text = say(lang, sentence)
        assert text.count(hostile) == 1, (lang, text)
    assert (
        say("ru", sentence)
        == f"у завода {hostile} есть работа генераторов (3), но нет топливного бака"
    )


def test_numbers_follow_the_locale() -> None:
    sentence = said(
        N_("%(what)s is over its charge limit of %(limit).1f kW"), what="B1", limit=1234.5
    )
    assert say("en", sentence) == "B1 is over its charge limit of 1234.5 kW"
    assert say("es", sentence) == "B1 supera su límite de carga de 1.234,5 kW"
    assert say("ru", sentence) == "B1 превышает предел заряда 1\xa0234,5 кВт"
    assert translator("xx").say(sentence) == say("en", sentence)


def test_an_error_carries_its_sentence_and_code() -> None:
    err = IngenioError(said(N_("%(what)s names unknown plant"), what="X"), kind="not_found")
    assert str(err) == "X names unknown plant" and err.code == "not_found"
    assert say("ru", err.said) == "X: неизвестный завод"
    plain = IngenioError("100% done", code="done")
    assert plain.said == Said("100% done") and say("es", plain.said) == "100% done"
    assert plain.code == "done"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_each_placeholder_and_its_conversion(lang: str) -> None:
    translations = domain_catalogue(lang, "messages")
    for message in message_ids("messages"):
        assert sorted(SPEC.findall(translations[message])) == sorted(SPEC.findall(message)), (
            lang,
            message,
        )


@pytest.mark.parametrize("lang", ["es", "ru"])
def test_a_domain_is_read_first(lang: str) -> None:
    """``late`` and ``grid off`` are worded otherwise by the CLI and by the services than in
    the merged catalogue: ``gettext`` with a domain (the CLI's ``_``) and ``say`` (the
    ``messages`` domain) read their own domain first, and fill placeholders the same way."""
    from ingenio.cli.lang import _, use

    t = translator(lang)
    cli, messages = domain_catalogue(lang, "cli"), domain_catalogue(lang, "messages")
    assert t.gettext("late", "cli") == cli["late"] != t.gettext("late")
    assert t.say("grid off") == messages["grid off"] == t.gettext("grid off", "messages")
    assert t.gettext("grid off", "messages") != t.gettext("grid off")
    assert t.gettext("no such id %(x)s", "cli", x=1) == "no such id 1"
    try:
        use(lang)
        assert _("late") == cli["late"]
    finally:
        use(None)
