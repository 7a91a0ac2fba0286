"""Signed checkpoints of the audit chain's head: pure functions, no database.

A checkpoint is a compact JWS (RFC 7515, Ed25519) signed with the key that signs
warnings, so anyone holding the published JWKS can check it with any JOSE library. Its
payload is RFC 8785 canonical JSON:

    {"schema": "tearline.audit-checkpoint/1", "seq": 120, "head": "<64 hex>",
     "at": "2024-03-06T09:00:00+00:00", "kid": "<key id>", "sender": "<deployment>"}

It says: "after entry #seq, the chain's hash was head". Whoever keeps a copy off the
box — exported, or embedded in a released warning — can later prove that entries up to
#seq were rewritten or removed, even if the hashes were all recomputed and the stored
head moved (docs/audit-threat-model.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from tearline.errors import AuditChainBroken

SCHEMA = "tearline.audit-checkpoint/1"
EXPORT_SCHEMA = "tearline.audit-checkpoints/1"
TYPE = "tearline-checkpoint+jws"
_ALGORITHMS = ["Ed25519"]


class CheckpointRefused(ValueError):
    """A checkpoint that does not verify: not a JWS, not ours, or not signed by our keys."""


@dataclass(frozen=True)
class Checkpoint:
    """What a verified checkpoint says, with its signed form."""

    seq: int
    head: str
    at: datetime
    key_id: str
    jws: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "head": self.head,
            "at": self.at.isoformat(),
            "key_id": self.key_id,
            "jws": self.jws,
        }


def sign_checkpoint(seq: int, head: str, at: datetime, key: OKPKey, sender: str) -> Checkpoint:
    """Sign "after entry #seq the chain's hash was head" with the deployment's key."""
    payload: dict[str, str | int] = {
        "schema": SCHEMA,
        "seq": seq,
        "head": head,
        "at": at.isoformat(),
        "kid": str(key.kid),
        "sender": sender,
    }
    header = {"alg": _ALGORITHMS[0], "kid": key.kid, "typ": TYPE}
    token = jws.serialize_compact(header, rfc8785.dumps(payload), key, algorithms=_ALGORITHMS)
    return Checkpoint(seq, head, at, str(key.kid), token)


def read_checkpoint(token: str, keys: KeySet) -> Checkpoint:
    """Verify one checkpoint's signature against ``keys``; raise CheckpointRefused."""
    token = token.strip()
    if token.count(".") != 2:
        raise CheckpointRefused("not a compact JWS")
    try:
        obj = jws.deserialize_compact(token, keys, algorithms=_ALGORITHMS)
        payload = json.loads(obj.payload)
    except JoseError as exc:
        kid = _unverified_kid(token)
        raise CheckpointRefused(
            f"not signed by this deployment's keys (key {kid}): {exc.description or exc.error}"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointRefused(f"malformed checkpoint: {exc}") from None
    if obj.headers().get("typ") != TYPE or not isinstance(payload, dict):
        raise CheckpointRefused("a signed document, but not an audit checkpoint")
    if payload.get("schema") != SCHEMA:
        raise CheckpointRefused(f"unknown checkpoint schema {payload.get('schema')!r}")
    seq, head, at = payload.get("seq"), payload.get("head"), payload.get("at")
    if not isinstance(seq, int) or not isinstance(head, str) or not isinstance(at, str):
        raise CheckpointRefused("a checkpoint must say seq, head and at")
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise CheckpointRefused(f"the checkpoint's time {at!r} is not ISO 8601") from None
    return Checkpoint(seq, head, when, str(obj.headers().get("kid")), token)


def _unverified_kid(token: str) -> str:
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError):
        return "unknown"
    return str(header.get("kid", "unknown"))


def export_document(checkpoints: Iterable[Checkpoint], sender: str) -> dict[str, Any]:
    """The file third parties keep: ``tearline audit checkpoints --export`` and the web."""
    return {
        "schema": EXPORT_SCHEMA,
        "sender": sender,
        "checkpoints": [c.as_dict() for c in checkpoints],
    }


def tokens_in(data: Any) -> list[str]:
    """The checkpoint JWSs in an export document, a list of them, or a warning document."""
    if isinstance(data, dict):
        if isinstance(data.get("audit_checkpoint"), dict):  # a released warning's document
            return tokens_in(data["audit_checkpoint"])
        if isinstance(data.get("jws"), str) and "checkpoints" not in data:
            return [data["jws"]]
        return tokens_in(data.get("checkpoints", []))
    if isinstance(data, list):
        return [tok for item in data for tok in tokens_in(item)]
    if isinstance(data, str):
        return [data]
    return []


@dataclass(frozen=True)
class Held:
    """A checkpoint and where it came from ("stored", a file name), for messages."""

    checkpoint: Checkpoint
    origin: str

    def describe(self) -> str:
        c = self.checkpoint
        return f"the checkpoint of #{c.seq} signed {c.at:%Y-%m-%d %H:%M} UTC ({self.origin})"


def check_against(count: int, hashes: Mapping[int, str], held: Iterable[Held]) -> int:
    """Compare the chain with every checkpoint; return how many were checked.

    ``count`` is the number of entries of an internally intact chain, ``hashes`` its hash
    after each checkpointed entry. Raises AuditChainBroken for the first checkpoint the
    chain no longer agrees with, naming the last one it still agreed with.
    """
    ordered = sorted(held, key=lambda h: h.checkpoint.seq)
    agreed: Held | None = None
    for h in ordered:
        c = h.checkpoint
        since = (
            f"; it last agreed with {agreed.describe()}"
            if agreed is not None
            else "; no earlier checkpoint agrees with it"
        )
        first = agreed.checkpoint.seq + 1 if agreed is not None else 1
        if c.seq > count:
            raise AuditChainBroken(
                f"audit entries #{count + 1}..#{c.seq} were removed: the record ends at "
                f"#{count}, but {h.describe()} holds {c.seq} entries{since}",
                seq=count + 1,
            )
        if hashes.get(c.seq) != c.head:
            raise AuditChainBroken(
                f"the audit record was rewritten: it diverges from {h.describe()} at entry "
                f"#{c.seq} (its hash no longer matches); entries #{first}..#{c.seq} were "
                f"changed{since}",
                seq=c.seq,
            )
        agreed = h
    return len(ordered)
