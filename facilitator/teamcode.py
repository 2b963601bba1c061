"""Team codes: the secret that opens a team's space. Pure logic, no Streamlit, no database.

A code looks like ``KX7P-4MQT-9HZC-W2RD``. The first group is the team's public lookup key
(stored as is); the rest is the secret, stored only as a salted PBKDF2 hash. Knowing team
names gives nothing: a team is found by its code alone, so no message or list can reveal
which other teams exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# Crockford-style alphabet: no I, L, O, U – nothing to misread on a projector or a note.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
SECRET_GROUPS = 3  # 12 characters of 32 symbols = 60 random bits, slowed down by PBKDF2
ITERATIONS = 200_000
# How long one opening of a team lasts in a browser session (a working day): a reload or a
# closed lid within that time needs no code.
GRANT_HOURS = 12
# How long a computer remembers an opened team (until »Skift team« or »Glem denne computer«).
DEVICE_DAYS = 30
_CLEAN = re.compile(r"[\s\-_.]+")
_SUBSTITUTE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


class InvalidCode(ValueError):
    """The text cannot be a team code at all (wrong length or characters)."""


def _group(text: str) -> str:
    return "-".join(text[i : i + GROUP] for i in range(0, len(text), GROUP))


def new_code() -> tuple[str, str]:
    """A fresh code and its lookup key."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * (1 + SECRET_GROUPS)))
    return _group(raw), raw[:GROUP]


def normalise(code: str) -> str:
    """Accept lower case, spaces, missing dashes and look-alike letters."""
    raw = _CLEAN.sub("", code.strip().upper()).translate(_SUBSTITUTE)
    if len(raw) != GROUP * (1 + SECRET_GROUPS) or any(c not in ALPHABET for c in raw):
        raise InvalidCode(code)
    return _group(raw)


def lookup_key(code: str) -> str:
    return normalise(code)[:GROUP]


def hash_code(code: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalise(code).encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_code(code: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        candidate = hash_code(code, bytes.fromhex(salt), int(iterations)).split("$")[3]
    except (ValueError, InvalidCode):
        return False
    return hmac.compare_digest(candidate, digest)
