"""Signing keys as the record sees them: creation and rotation are audited like any change."""

from __future__ import annotations

from joserfc.jwk import OKPKey

from tearline.workflow.app import App, Unit


def signing_key(app: App, u: Unit, actor: str) -> OKPKey:
    """The current signing key; the first use creates one, on the record."""
    first = not app.keys.exists()
    key = app.keys.signing_key()
    if first:
        u.audit(actor, "key.created", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
    return key


def rotate_key(app: App, actor: str) -> OKPKey:
    """A new signing key; older keys stay published so old warnings still verify."""
    with app.unit() as u:
        key = app.keys.rotate()
        u.audit(actor, "key.rotated", f"key:{str(key.kid)[:16]}", {"kid": key.kid})
        return key
