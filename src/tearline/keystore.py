"""The deployment's signing keys, on disk: created on first use, rotated, published as JWKS.

Keys live in ``$TEARLINE_HOME/keys/`` (directory mode 0700, files 0600), one JWK file
per key. The newest key signs; older keys stay so that old signatures still verify.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, OKPKey

from tearline.errors import ConfigError


class KeyStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("ed25519-*.jwk"))

    def _load(self, path: Path) -> OKPKey:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise ConfigError(
                f"signing key {path} is readable by others (mode {mode:o}); chmod 600 it"
            )
        try:
            key = OKPKey.import_key(json.loads(path.read_text()))
            key.ensure_kid()
        except (ValueError, json.JSONDecodeError) as exc:
            raise ConfigError(f"signing key {path} is not a valid Ed25519 JWK: {exc}") from None
        return key

    def exists(self) -> bool:
        return bool(self._files())

    def rotate(self) -> OKPKey:
        """Create a new signing key; it signs from now on, older keys still verify."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        key = OKPKey.generate_key("Ed25519", parameters={"use": "sig", "alg": "Ed25519"})
        key.ensure_kid()  # kid = RFC 7638 thumbprint
        number = len(self._files()) + 1
        path = self.directory / f"ed25519-{number:04d}.jwk"
        # Created with 0600 from the start: no moment where the private key is readable.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(key.as_dict(private=True), fh)
        return key

    def signing_key(self) -> OKPKey:
        files = self._files()
        return self._load(files[-1]) if files else self.rotate()

    def keyset(self) -> KeySet:
        keys = [self._load(p) for p in self._files()]
        return KeySet(list[Any](keys or [self.signing_key()]))

    def jwks(self) -> dict[str, Any]:
        """The public keys, for publishing: no private parts."""
        return dict(self.keyset().as_dict(private=False))
