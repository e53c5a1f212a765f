"""The sync file format, version 1: a readable header, a sealed payload, a signature.

    PROASN-SYNC 1\\n
    {header: one line of JSON}\\n
    <payload_length bytes: the payload, gzip-compressed, then AES-256-GCM encrypted>
    <64 bytes: Ed25519 signature of the sender over everything before it>

The payload is sealed to the recipient's X25519 key: an ephemeral X25519 key pair per file,
HKDF-SHA256 over the shared secret (salt: both public keys) gives the AES key, and the first
two lines are the cipher's associated data, so the header cannot be changed without the
decryption failing too. The signature is checked before anything is decrypted. Nothing in
this module touches the database; docs/sync.md describes the format for other readers.
"""

import base64
import gzip
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.i18n import N_
from app.kit import clock
from app.kit.ids import new_id
from app.sync.errors import SyncRefused
from app.sync.keys import PublicKey, ServerKeys

MAGIC = b"PROASN-SYNC 1\n"
SCHEME = "X25519-HKDF-SHA256-AES256GCM"
SIGNATURE_BYTES = 64
KINDS = ("package", "results")
# A header is a few hundred bytes; anything much larger is not one of ours.
MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sealed:
    """A sync file split into its parts (nothing checked yet but the layout)."""

    header: dict[str, Any]
    signed: bytes  # magic + header line + ciphertext: what the signature covers
    associated: bytes  # magic + header line: the cipher's associated data
    ciphertext: bytes
    signature: bytes

    @property
    def kind(self) -> str:
        return str(self.header["kind"])

    @property
    def signer_fingerprint(self) -> str:
        return str(self.header["signer"]["fingerprint"])

    @property
    def recipient_fingerprint(self) -> str:
        return str(self.header["recipient"]["fingerprint"])


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _aes_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral + recipient,
        info=b"proasn-sync 1 payload",
    ).derive(shared)


def seal(
    kind: str,
    about: dict[str, Any],
    payload: bytes,
    signer: ServerKeys,
    recipient: PublicKey,
    recipient_name: str,
) -> bytes:
    """A whole sync file: `payload` compressed, sealed to `recipient`, signed by `signer`."""
    assert kind in KINDS
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw(ephemeral.public_key())
    key = _aes_key(
        ephemeral.exchange(recipient.encryption), ephemeral_raw, _raw(recipient.encryption)
    )
    nonce = os.urandom(12)
    compressed = gzip.compress(payload, compresslevel=6, mtime=0)
    header = {
        "kind": kind,
        "format": 1,
        "id": str(new_id()),
        "made_at": clock.now().isoformat(),
        "signer": {"fingerprint": signer.public.fingerprint},
        "recipient": {"name": recipient_name, "fingerprint": recipient.fingerprint},
        "encryption": {
            "scheme": SCHEME,
            "ephemeral_key": base64.b64encode(ephemeral_raw).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
        },
        "compression": "gzip",
        # AES-GCM adds a 16-byte tag to the compressed payload.
        "payload_length": len(compressed) + 16,
        "about": about,
    }
    associated = MAGIC + json.dumps(header, ensure_ascii=True, sort_keys=True).encode() + b"\n"
    ciphertext = AESGCM(key).encrypt(nonce, compressed, associated)
    signed = associated + ciphertext
    return signed + signer.signing.sign(signed)


def parse(data: bytes) -> Sealed:
    """Split a file into its parts; refused when it is not a sync file of this format."""
    if not data.startswith(MAGIC):
        raise SyncRefused(N_("This is not a ProASN sync file (or not format 1)."))
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER_BYTES)
    try:
        if end < 0:
            raise ValueError
        header = json.loads(data[len(MAGIC) : end])
        length = int(header["payload_length"])
        kind = header["kind"]
        header["signer"]["fingerprint"], header["recipient"]["fingerprint"]  # noqa: B018
    except (ValueError, KeyError, TypeError):
        raise SyncRefused(N_("The sync file's header is damaged.")) from None
    body = end + 1
    if kind not in KINDS or len(data) != body + length + SIGNATURE_BYTES:
        raise SyncRefused(N_("The sync file is cut short or has bytes added."))
    return Sealed(
        header=header,
        signed=data[: body + length],
        associated=data[:body],
        ciphertext=data[body : body + length],
        signature=data[body + length :],
    )


def check_signature(sealed: Sealed, signer: PublicKey) -> None:
    """Refused unless `signer` made this file and not one byte of it has changed since."""
    if sealed.signer_fingerprint != signer.fingerprint:
        raise SyncRefused(
            N_("The file is signed by key %(found)s, not by the expected %(expected)s."),
            found=sealed.signer_fingerprint,
            expected=signer.fingerprint,
        )
    try:
        signer.signing.verify(sealed.signature, sealed.signed)
    except InvalidSignature:
        raise SyncRefused(
            N_("The signature does not match: the file was changed after it was signed.")
        ) from None


def open_payload(sealed: Sealed, keys: ServerKeys) -> bytes:
    """The decrypted, decompressed payload; refused when it is sealed to another key."""
    own = keys.public
    if sealed.recipient_fingerprint != own.fingerprint:
        raise SyncRefused(
            N_("This file is for %(name)s (key %(found)s), not for this server (key %(own)s)."),
            name=str(sealed.header["recipient"].get("name", "?")),
            found=sealed.recipient_fingerprint,
            own=own.fingerprint,
        )
    try:
        encryption = sealed.header["encryption"]
        if encryption["scheme"] != SCHEME or sealed.header.get("compression") != "gzip":
            raise ValueError
        ephemeral = base64.b64decode(encryption["ephemeral_key"])
        nonce = base64.b64decode(encryption["nonce"])
        shared = keys.encryption.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        key = _aes_key(shared, ephemeral, _raw(own.encryption))
        compressed = AESGCM(key).decrypt(nonce, sealed.ciphertext, sealed.associated)
        return gzip.decompress(compressed)
    except (InvalidTag, ValueError, KeyError, TypeError, OSError):
        raise SyncRefused(N_("The sealed payload cannot be opened: it is damaged.")) from None
