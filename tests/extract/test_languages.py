"""Reading reports in Spanish, French, Russian, Arabic and Farsi, and mixed reports.

The accuracy tests read the hand-keyed sets in fixtures/languages/ (keyed before the
readers were run on them; docs/evaluation.md has the per-language tables)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tearline.errors import InputError
from tearline.evaluation.languages import FIELDS, read_keys, score
from tearline.extract import extract, langid, organisations
from tearline.model import EventKind, Method, Modality

KEYS = Path(__file__).parent / "fixtures" / "languages"
LANGS = ("es", "fr", "ru", "ar", "fa")
DAY = datetime(2024, 3, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_a_hand_keyed_set_of_at_least_25_held_out_texts(lang: str) -> None:
    keys = read_keys(KEYS / f"{lang}.toml")
    held_out = [k for k in keys if k.split == "test"]
    assert len(held_out) >= 25
    assert {k.kind for k in held_out} >= {"threat", "incident", "none"}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_texts_are_read_to_at_least_85_percent_per_field(lang: str) -> None:
    report = score(lang, read_keys(KEYS / f"{lang}.toml"), extract, "test")
    assert report.share() >= 0.85, report.misses
    for field in ("kind", "country", "city"):
        assert report.share(field) >= 0.85, (field, [m for m in report.misses if m.field == field])
    assert set(report.right) == set(FIELDS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_fact_is_evidenced_in_the_original_text(lang: str) -> None:
    for key in read_keys(KEYS / f"{lang}.toml"):
        for e in extract(key.text, key.date):
            spans = [*e.evidence, *(a.span for a in e.actors), *(t.span for t in e.targets)]
            spans += [x.span for x in (e.place, e.time, e.method) if x is not None]
            spans += [c.span for c in (e.casualties.killed, e.casualties.injured) if c]
            for s in spans:
                assert key.text[s.start : s.end] == s.text, (key.id, s)


def test_a_russian_report_of_a_planned_bombing_in_kazan() -> None:
    text = (
        "ФСБ предотвратила теракт в Казани: члены ячейки «Исламского государства» "
        "планировали взорвать бомбу у мечети 28 марта."
    )
    [e] = extract(text, DAY)
    assert (e.kind, e.modality) == (EventKind.THREAT, Modality.PLANNED)
    assert e.place is not None
    assert (e.place.city, e.place.country) == ("Kazan", "RU")
    assert e.place.span.text == "Казани"  # the evidence as written, the name in English
    assert [a.canonical for a in e.actors if a.canonical] == [
        "Islamic State of Iraq and the Levant"
    ]
    assert e.time is not None
    assert e.time.start.date().isoformat() == "2024-03-28"


def test_arabic_clitics_and_letter_variants_do_not_hide_a_place() -> None:
    text = "قتل خمسة أشخاص أمس في تفجير سيارة مفخخة بالقاهرة، وتبنى تنظيم داعش الهجوم."
    [e] = extract(text, DAY)
    assert e.kind is EventKind.INCIDENT
    assert e.place is not None
    assert e.place.country == "EG"
    assert e.place.city == "Cairo"
    assert e.method is not None
    assert e.method.method is Method.BOMBING
    assert e.time is not None
    assert e.time.start.date().isoformat() == "2024-03-22"


def test_a_farsi_report_with_persian_digits() -> None:
    text = (
        "در انفجار دو بمب در کرمان دست‌کم ۸۴ نفر کشته شدند. داعش مسئولیت این حمله را بر عهده گرفت."
    )
    [e] = extract(text, datetime(2024, 1, 4, tzinfo=UTC))
    assert e.place is not None
    assert e.place.city == "Kerman"
    assert e.place.country == "IR"
    assert e.casualties.killed is not None
    assert e.casualties.killed.min == 84
    assert e.modality is Modality.CLAIMED


@pytest.mark.parametrize(
    ("text", "city", "country"),
    [
        (
            "Hombres armados atacaron ayer un hotel en Kabul y mataron a cinco personas.",
            "Kabul",
            "AF",
        ),
        (
            "Des hommes armés ont attaqué hier un hôtel à Kaboul, tuant cinq personnes.",
            "Kabul",
            "AF",
        ),
    ],
)
def test_spanish_and_french_news_sentences(text: str, city: str, country: str) -> None:
    [e] = extract(text, DAY)
    assert e.kind is EventKind.INCIDENT
    assert e.place is not None
    assert (e.place.city, e.place.country) == (city, country)
    assert e.casualties.killed is not None
    assert e.casualties.killed.min == 5


def test_an_english_cover_note_over_a_quoted_russian_report_is_read_in_both() -> None:
    text = (
        "Liaison report, translated excerpt follows (original in Russian).\n\n"
        "По имеющимся данным, боевики ИГИЛ готовят нападение на концертный зал в Казани "
        "в ближайшие дни."
    )
    parts = [p.lang for p in langid.paragraphs(text)]
    assert parts == ["en", "ru"]
    assert langid.identify(text) == "ru"
    [e] = extract(text, DAY)
    assert e.kind is EventKind.THREAT
    assert e.place is not None
    assert e.place.city == "Kazan"


def test_capitals_and_datelines_in_english_are_not_taken_for_spanish() -> None:
    text = (
        "EL PARAISO (EL SALVADOR), 19 MAR 89 (ACAN-EFE) -- [TEXT] COLONEL ALEXANDER MENDEZ, "
        "COMMANDER OF THE 4TH INFANTRY BRIGADE, SAID THAT OVER 500 GUERRILLA FIGHTERS "
        "ATTACKED TWO TOWNS IN CHALATENANGO DEPARTMENT."
    )
    from tearline.extract._pipeline import language_parts

    assert set(language_parts(text)) == {"en"}
    assert extract(text, DAY)


def test_a_language_extraction_does_not_read_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="reads: en, es, fr, ru, ar, fa"):
        extract("Bewaffnete griffen gestern ein Hotel in Kabul an.", DAY, lang="de")


def test_an_organisation_is_one_name_across_scripts() -> None:
    assert organisations.lookup("Хезболла").name == "Hizballah"  # type: ignore[union-attr]
    assert organisations.lookup("حزب الله").name == "Hizballah"  # type: ignore[union-attr]
    assert organisations.lookup("Исламское государство").id == "ofac:8759"  # type: ignore[union-attr]
    assert organisations.lookup("Kazan") is None


@pytest.mark.parametrize("lang", LANGS)
def test_fresh_text_keyed_after_tuning_is_read_at_least_as_well_as_on_its_first_run(
    lang: str,
) -> None:
    # The fresh sets were keyed after all tuning and first run at 65 to 83 % of fields
    # (docs/evaluation.md); a change that reads fresh text worse than that is a regression.
    keys = read_keys(KEYS / "fresh" / f"{lang}.toml")
    assert len(keys) == 12
    assert {k.split for k in keys} == {"fresh"}
    first_run = {"es": 0.833, "fr": 0.80, "ru": 0.65, "ar": 0.75, "fa": 0.80}[lang]
    assert score(lang, keys, extract, "fresh").share() >= first_run - 0.001


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Вчера в Казани при взрыве погибли двадцать пять человек.", 25),
        ("Ayer murieron treinta y dos personas en un atentado con coche bomba en Cúcuta.", 32),
        ("Hier, vingt-cinq personnes ont été tuées dans un attentat à Kaboul.", 25),
    ],
)
def test_a_toll_written_out_in_words_is_read_whole(text: str, killed: int) -> None:
    [e] = extract(text, DAY)
    assert e.casualties.killed is not None
    assert e.casualties.killed.min == killed
    span = e.casualties.killed.span
    assert text[span.start : span.end] == span.text
