"""A server's sync keys: Ed25519 to sign what it sends, X25519 to receive what is sealed to it.

Both private keys live in one file (mode 0600, `PROASN_SYNC_KEY_FILE`); the public half is one
string, `proasn-sync-1:` + base64url of the Ed25519 and X25519 public keys (32 bytes each),
exchanged out of band (docs/sync.md, the key ceremony). Ed25519 keys are for signing only, so
the encryption key is a pair of its own rather than one converted from the signing key.
"""

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.i18n import N_
from app.kit import clock
from app.sync.errors import SyncRefused

PUBLIC_PREFIX = "proasn-sync-1:"
KEY_FILE_FORMAT = "proasn-sync-key"


def _raw(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class PublicKey:
    """Another server's public keys: its signature check and the key to seal files to."""

    signing: Ed25519PublicKey
    encryption: X25519PublicKey

    @property
    def raw(self) -> bytes:
        return _raw(self.signing) + _raw(self.encryption)

    @property
    def text(self) -> str:
        return PUBLIC_PREFIX + _b64(self.raw)

    @property
    def fingerprint(self) -> str:
        """24 hex digits of SHA-256 over both keys: short enough to read out on the phone."""
        return hashlib.sha256(self.raw).hexdigest()[:24]


def spaced(fingerprint: str) -> str:
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def parse_public_key(text: str) -> PublicKey:
    """A public key string as `proasn sync keys` prints it; refused with the reason."""
    text = "".join(text.split())
    if not text.startswith(PUBLIC_PREFIX):
        raise SyncRefused(N_("A public key starts with %(prefix)s."), prefix=PUBLIC_PREFIX)
    try:
        raw = _unb64(text[len(PUBLIC_PREFIX) :])
    except ValueError:
        raw = b""
    if len(raw) != 64:
        raise SyncRefused(N_("The public key is damaged (it must hold 64 bytes)."))
    return PublicKey(
        Ed25519PublicKey.from_public_bytes(raw[:32]), X25519PublicKey.from_public_bytes(raw[32:])
    )


@dataclass(frozen=True)
class ServerKeys:
    """This server's own key pairs."""

    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey
    created_at: str

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.signing.public_key(), self.encryption.public_key())


def _private_raw(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def create_keys(path: Path) -> ServerKeys:
    """New key pairs written to `path`, which must not exist; readable by its owner only."""
    keys = ServerKeys(
        Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), clock.now().isoformat()
    )
    document = {
        "format": KEY_FILE_FORMAT,
        "version": 1,
        "created_at": keys.created_at,
        "signing_ed25519": _b64(_private_raw(keys.signing)),
        "encryption_x25519": _b64(_private_raw(keys.encryption)),
    }
    # O_EXCL: never overwrite a key (sites and the centre trust its public half).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    return keys


def load_keys(path: Path) -> ServerKeys:
    """This server's keys; refused when the file is absent, readable by others, or damaged."""
    if not path.exists():
        raise SyncRefused(
            N_("No sync key at %(path)s: run `proasn sync keys` first."), path=str(path)
        )
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise SyncRefused(
            N_("The sync key %(path)s is readable by others: chmod 600 it."), path=str(path)
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != KEY_FILE_FORMAT or document.get("version") != 1:
            raise ValueError
        return ServerKeys(
            Ed25519PrivateKey.from_private_bytes(_unb64(document["signing_ed25519"])),
            X25519PrivateKey.from_private_bytes(_unb64(document["encryption_x25519"])),
            document["created_at"],
        )
    except (ValueError, KeyError, TypeError):
        raise SyncRefused(N_("The sync key file %(path)s is damaged."), path=str(path)) from None


def keys_at(path: Path) -> tuple[ServerKeys, bool]:
    """The keys at `path`, made first when absent; and whether they were just made."""
    if path.exists():
        return load_keys(path), False
    return create_keys(path), True
