"""Checkpoints: signed with the deployment's key, read back only under its keys, and
compared with the chain so that a rewrite or a truncation names where it happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from joserfc.jwk import KeySet, OKPKey

from tearline.audit import AuditRecord
from tearline.audit.checkpoints import (
    CheckpointRefused,
    Held,
    check_against,
    read_checkpoint,
    sign_checkpoint,
    tokens_in,
)
from tearline.errors import AuditChainBroken
from tests.audit.test_chain import chain

AT = datetime(2024, 3, 6, 9, 0, tzinfo=UTC)


def key() -> OKPKey:
    k = OKPKey.generate_key("Ed25519", parameters={"alg": "Ed25519"})
    k.ensure_kid()
    return k


def test_a_checkpoint_reads_back_under_any_published_key_and_no_other() -> None:
    old, new, other = key(), key(), key()
    made = sign_checkpoint(3, "ab" * 32, AT, old, "Test agency")
    back = read_checkpoint(made.jws, KeySet([old, new]))  # still verifies after a rotation
    assert (back.seq, back.head, back.at, back.key_id) == (3, "ab" * 32, AT, old.kid)
    with pytest.raises(
        CheckpointRefused, match=f"not signed by this deployment's keys .*{other.kid}"
    ):
        read_checkpoint(sign_checkpoint(3, "ab" * 32, AT, other, "x").jws, KeySet([old, new]))
    with pytest.raises(CheckpointRefused, match="not a compact JWS"):
        read_checkpoint("not a token", KeySet([old]))


def test_tokens_are_found_in_an_export_a_list_or_a_warning_document() -> None:
    assert tokens_in({"schema": "tearline.audit-checkpoints/1", "checkpoints": [{"jws": "a"}]}) == [
        "a"
    ]
    assert tokens_in([{"jws": "a"}, "b"]) == ["a", "b"]
    assert tokens_in({"reference": "WRN-1", "audit_checkpoint": {"seq": 1, "jws": "c"}}) == ["c"]
    assert tokens_in({"reference": "WRN-1"}) == []


def held(rows: Sequence[AuditRecord], seq: int, k: OKPKey, origin: str = "kept.json") -> Held:
    digest = rows[seq - 1].hash
    return Held(sign_checkpoint(seq, digest, AT, k, "Test agency"), origin)


def test_the_chain_agrees_with_its_checkpoints() -> None:
    rows, k = chain(10), key()
    hashes = {r.seq: r.hash for r in rows}
    assert check_against(10, hashes, [held(rows, 4, k), held(rows, 10, k)]) == 2


def test_a_rewrite_names_the_checkpoint_and_the_range_since_the_last_that_agreed() -> None:
    rows, k = chain(10), key()
    kept = [held(rows, 3, k), held(rows, 7, k), held(rows, 10, k)]
    hashes = {r.seq: r.hash for r in rows} | {7: "f" * 64, 10: "e" * 64}  # rewritten from #5
    with pytest.raises(AuditChainBroken) as info:
        check_against(10, hashes, kept)
    message = str(info.value)
    assert "diverges from the checkpoint of #7 signed 2024-03-06 09:00 UTC (kept.json)" in message
    assert "entries #4..#7 were changed" in message
    assert "last agreed with the checkpoint of #3" in message
    assert info.value.seq == 7


def test_a_truncation_names_the_missing_entries() -> None:
    rows, k = chain(10), key()
    kept = [held(rows, 10, k)]
    with pytest.raises(AuditChainBroken, match=r"#7\.\.#10 were removed: the record ends at #6"):
        check_against(6, {r.seq: r.hash for r in rows[:6]}, kept)
