"""Role mentions: a tagged run cut to the words that name something, and mentions
gathered into entities exactly as comparing every pair would, in linear time."""

from __future__ import annotations

import random
import time

from tearline.extract import organisations
from tearline.extract._roles import ROLE_FIELDS, RoleMention, _trimmed, gather, same_entity
from tearline.model import Span

WORDS = [
    "FMLN",
    "Farabundo Marti National Liberation Front",
    "the FMLN",
    "ELN",
    "National Liberation Army",
    "Oscar Arnulfo Romero",
    "Romero",
    "Oscar",
    "the farm",
    "presidential farm",
    "farms",
    "urban terrorists",
    "terrorist",
    "x",
    "xyz",
    "M-19",
    "April 19 Movement",
    "Islamic State",
    "IS",
    "ISIS-K",
    "Islamic State Khorasan Province",
    "Hezbollah",
    "guerrillas",
    "a guerrilla column",
    "dynamite",
    "car bomb",
    "bombs",
]


def pairwise(role: str, mentions: list[RoleMention]) -> list[list[RoleMention]]:
    """The reference: each mention joins the first entity with a mention of the same."""
    orgs = organisations.load()
    entities: list[list[RoleMention]] = []
    for m in sorted(mentions, key=lambda m: m.span.start):
        for e in entities:
            if any(same_entity(role, m.span.text, x.span.text, orgs) for x in e):
                e.append(m)
                break
        else:
            entities.append([m])
    return entities


def mentions(rng: random.Random, n: int) -> list[RoleMention]:
    out, at = [], 0
    for _ in range(n):
        text = rng.choice(WORDS)
        out.append(RoleMention("", Span(at, at + len(text), text), 0, 0.5))
        at += len(text) + 1
    return out


def test_indexed_gathering_equals_pairwise_comparison() -> None:
    orgs = organisations.load()
    rng = random.Random(7)
    for _ in range(200):
        ms = mentions(rng, rng.randint(1, 12))
        for role in ROLE_FIELDS:
            assert gather(role, ms, orgs) == pairwise(role, ms), (role, [m.span.text for m in ms])


def test_gathering_is_linear() -> None:
    orgs = organisations.load()
    rng = random.Random(1)

    def cpu_seconds(n: int) -> float:
        many = mentions(rng, n)
        started = time.process_time()
        for role in ROLE_FIELDS:
            gather(role, many, orgs)
        return time.process_time() - started

    cpu_seconds(1_000)  # warm
    small, large = cpu_seconds(5_000), cpu_seconds(40_000)
    # Eight times the mentions may cost eight times the work, with slack for a busy
    # machine; comparing every mention with every other would cost sixty-four times.
    assert large < 24 * small + 0.5, (small, large)


def parts(role: str, run: str) -> list[str]:
    words = run.split()
    return [" ".join(words[a : b + 1]) for a, b in _trimmed(role, words, 0, len(words) - 1)]


def test_a_list_of_targets_or_weapons_is_one_entity_per_item() -> None:
    assert parts("Target", "stores and electric towers") == ["stores", "electric towers"]
    assert parts("Weapon", "rifles , grenades or dynamite") == ["rifles", "grenades", "dynamite"]
    # perpetrators and named people are not split: "Ricardo and Sons" is one name
    assert parts("PerpOrg", "ricardo and sons") == ["ricardo and sons"]


def test_a_run_is_cut_where_a_clause_begins_or_before_a_bracket_left_open() -> None:
    assert parts("Victim", "sorto milla had bullet wounds") == ["sorto milla"]
    assert parts("PerpOrg", "mrta since") == ["mrta"]
    assert parts("Target", "bus standing nearby") == ["bus"]
    assert parts("PerpOrg", "farabundo marti national liberation front ( fmln") == [
        "farabundo marti national liberation front"
    ]
    # a closed bracket stays: it is part of the name as written
    assert parts("PerpOrg", "front ( fmln )") == ["front ( fmln )"]


def test_function_words_and_punctuation_at_the_ends_are_cut() -> None:
    assert parts("Weapon", "with over 100 kg of dynamite") == ["over 100 kg of dynamite"]
    assert parts("Target", "of the embassy in") == ["the embassy"]
    assert parts("Victim", "jose rivas was") == ["jose rivas"]
    assert parts("PerpOrg", "front ( fmln ) ,") == ["front ( fmln )"]
    assert parts("Target", "of , and") == []
