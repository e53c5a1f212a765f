"""Short human-typed secrets (room tokens, access codes, login PINs) and their hashing.

Codes come from a cryptographic generator. Access codes are credentials: only an argon2 hash
is stored. They are long random strings, not human-chosen passwords, so a lighter argon2
profile than the staff-password one is enough and keeps importing hundreds of participants
quick.
"""

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import get_settings

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read off a projector or a printed card without mistakes.
UNAMBIGUOUS = "ACDEFGHJKMNPQRTUVWXY34679"


def unambiguous_code(length: int) -> str:
    return "".join(secrets.choice(UNAMBIGUOUS) for _ in range(length))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


@lru_cache
def _access_code_hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.access_code_hash_time_cost,
        memory_cost=settings.access_code_hash_memory_kib,
        parallelism=1,
    )


def hash_access_code(code: str) -> str:
    return _access_code_hasher().hash(normalise_code(code))


def verify_access_code(stored_hash: str, code: str) -> bool:
    try:
        return _access_code_hasher().verify(stored_hash, normalise_code(code))
    except (VerificationError, InvalidHashError):
        return False


PIN_DIGITS = 6


def new_pin() -> str:
    """A participant's login PIN: 6 random digits, typed from the printed card."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def normalise_pin(pin: str) -> str:
    return "".join(pin.split())


# A PIN is hashed like an access code (argon2, the light profile): a room logs in within
# minutes. Its strength is the login's guessing limit (app/throttle), not the hash.
def hash_pin(pin: str) -> str:
    return _access_code_hasher().hash(normalise_pin(pin))


def verify_pin(stored_hash: str | None, pin: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _access_code_hasher().verify(stored_hash, normalise_pin(pin))
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    """What is stored for a long random login or API token: its SHA-256. Such tokens are
    unguessable, so a fast hash is enough (passwords and access codes use argon2)."""
    return hashlib.sha256(token.encode()).hexdigest()
