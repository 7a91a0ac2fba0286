"""Warning languages as data: the shipped files, a deployment's own languages and
overrides (a bad file skipped, never fatal), the five languages added for issue 23, and
how a warning tells its recipient to answer by the channel it came through."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from tearline.model import Tier
from tearline.release import ProtectedTerm, find_leaks, render_artifacts
from tearline.release.phrases import LANGUAGES, PROBLEMS, load_languages, supported
from tearline.release.render import Envelope, MessageKind, render_warning
from tests.release.support import document, envelope, facts_for

NEW = ("de", "fr", "tr", "uk", "zh")
SHIPPED = resources.files("tearline.data") / "phrases"
# A word of each language's own script that no warning holds, and a code word in it.
OWN_SCRIPT = {"de": "Schwarzspecht", "fr": "Hirondelle", "tr": "Kırlangıç", "uk": "ЛАСТІВКА"}
OWN_SCRIPT["zh"] = "夜鹰"


def test_every_shipped_language_loads_with_nothing_skipped() -> None:
    assert PROBLEMS == []
    assert {"en", "ru", "ar", "fa", "es", *NEW} <= set(LANGUAGES)
    for code in NEW:
        assert supported(code)
        assert supported(f"{code}-XX")
    assert supported("zh-Hans-CN")
    assert not supported("ja")


def test_each_new_language_says_what_it_was_checked_against() -> None:
    for code in NEW:
        head = (SHIPPED / f"{code}.toml").read_text(encoding="utf-8").split("\ncode = ")[0]
        assert "Checked against" in head, code


KINDS = [MessageKind.ALERT, MessageKind.UPDATE, MessageKind.CANCEL, MessageKind.ALL_CLEAR]


@pytest.mark.parametrize("language", NEW)
@pytest.mark.parametrize("tier", [Tier.ALLY, Tier.PUBLIC])
@pytest.mark.parametrize("kind", KINDS)
def test_a_new_language_writes_every_form_in_its_own_words(
    language: str, tier: Tier, kind: MessageKind
) -> None:
    previous = None
    if kind is not MessageKind.ALERT:
        previous = document(tier, language, reference="WRN-0")
    doc = document(tier, language, kind=kind, previous=previous)
    english = document(tier, "en", kind=kind, previous=previous)
    text = doc["texts"][language]
    assert doc["language"] == language
    for part in ("subject", "text"):
        assert text[part]
        assert text[part] != english["texts"]["en"][part]
        assert not re.search(r"\{\w+\}", text[part]), text[part]  # no slot left unfilled
    artifacts = render_artifacts(doc, None)
    assert artifacts["text"]
    # the English text travels beside it, for a reader who needs it
    assert "en" in doc["texts"]


@pytest.mark.parametrize("language", NEW)
def test_a_code_word_in_the_languages_own_script_is_refused(language: str) -> None:
    term = ProtectedTerm("PT-9", "code_word", term=OWN_SCRIPT[language])
    text = render_artifacts(document(Tier.PUBLIC, language), None)["text"]
    assert find_leaks({"WRN-1 text": text}, [term]) == []
    # the code word slipped into the middle of a sentence, as a translator might paste it
    middle = len(text) // 2
    leaked = text[:middle] + OWN_SCRIPT[language] + text[middle:]
    assert [x.term.id for x in find_leaks({"WRN-1 text": leaked}, [term])] == ["PT-9"]


def test_a_chinese_code_word_of_two_characters_is_found_inside_a_sentence() -> None:
    term = ProtectedTerm("PT-3", "code_word", term="夜鹰")
    for written in ("消息来源夜鹰报告称袭击正在策划。", "消息来源夜 鹰报告称", "据报“夜-鹰”"):
        assert find_leaks({"t": written}, [term]), written
    # one character alone is everywhere in Chinese: it is not a term to seek inside words
    assert (
        find_leaks({"t": "消息来源夜鹰报告称"}, [ProtectedTerm("PT-4", "code_word", term="鹰")])
        == []
    )


# --- a deployment's phrases -----------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_deployment_adds_a_language_and_overrides_a_phrase(tmp_path: Path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    dutch = (SHIPPED / "de.toml").read_text(encoding="utf-8")
    dutch = dutch.replace('code = "de"', 'code = "nl"').replace('locale = "de"', 'locale = "nl"')
    dutch = dutch.replace("Entwarnung", "Het gevaar is geweken")
    _write(folder, "nl.toml", dutch)
    _write(folder, "en.toml", '[labels]\nreply = "How to answer us"\n')
    languages, problems = load_languages(folder)
    assert problems == []
    assert languages["nl"].event_all_clear == "Het gevaar is geweken"
    assert languages["en"].labels["reply"] == "How to answer us"
    assert languages["en"].labels["place"] == "Place"  # the rest of English is kept
    assert languages["de"] == LANGUAGES["de"]


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("xx.toml", "code = 'xx'\nlocale = [", "not readable TOML"),
        ("it.toml", 'code = "it"\nlocale = "it"\nrtl = false\n', "is missing"),
        ("en.toml", '[methods]\nbombing = "bombing at {venue}"\n', "uses venue"),
        ("en.toml", 'lead = "{sender has"\n', "is not a phrase"),
        ("ru.toml", 'locale = "xx_NOWHERE"\n', "not one Babel knows"),
        ("fr.toml", "[harms]\nkilling = 3\n", "lacks killing"),
    ],
)
def test_a_bad_file_is_skipped_with_its_fault_named(
    tmp_path: Path, name: str, text: str, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "phrases"
    _write(folder, name, text)
    languages, problems = load_languages(folder)
    assert len(problems) == 1
    assert said in problems[0]
    assert name in problems[0]
    assert said in caplog.text
    code = name.removesuffix(".toml")
    # the shipped language stays as shipped; a new one is simply not there
    assert languages.get(code) == LANGUAGES.get(code)


def test_a_copied_shipped_file_is_a_valid_deployment_language(tmp_path: Path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    with resources.as_file(SHIPPED / "zh.toml") as shipped:
        shutil.copy(shipped, folder / "zh.toml")
    languages, problems = load_languages(folder)
    assert problems == []
    assert languages["zh"] == LANGUAGES["zh"]


# --- how to answer ----------------------------------------------------------------------------


def _reply_line(route: str, language: str = "en") -> str:
    env = Envelope(
        **{
            **envelope(Tier.PUBLIC if route == "feed" else Tier.ALLY).__dict__,
            "reply_route": route,
            "verify_url": "https://alerts.example.org/verify",
        }
    )
    tier = Tier.PUBLIC if route == "feed" else Tier.ALLY
    rendered = render_warning(facts_for(tier), env, language)
    (line,) = [x for x in rendered.footer if x.label == LANGUAGES[language].labels["reply"]]
    return line.value


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_each_channel_is_told_what_it_can_really_do(language: str) -> None:
    feed, hook, link = (_reply_line(r, language) for r in ("feed", "webhook", "link"))
    assert "https://alerts.example.org/verify" in feed
    assert "WRN-1" in feed
    assert "reply_url" in hook
    assert "WRN-1" in hook
    assert len({feed, hook, link}) == 3
    if language == "en":
        assert "channel it arrived by" in link
        assert "cannot be answered" in feed
        assert "channel it arrived by" not in feed
        assert "channel it arrived by" not in hook


def test_an_envelope_without_a_route_keeps_the_reply_line() -> None:
    text = render_warning(facts_for(Tier.ALLY), envelope(Tier.ALLY), "de").text
    assert "auf dem Weg, auf dem sie Sie erreicht hat" in text
