"""The secrets of share links, all derived from the install's SECRET_KEY (kept in DATA_DIR, not in the database).

- A link's token is HMAC-SHA256(SECRET_KEY-derived key, the share's random salt): 256 bits. The database keeps only
  the salt and the token's SHA-256, so a copy of the database alone opens no link, while the owner's list can
  derive each token again to show the link (as Immich does) instead of showing it once.
- A shared photo is addressed by a key that is its id encrypted with a key of that share (AES on one block, the
  id beside 64 zero bits that a forged key fails): a public URL never holds an id that works anywhere else, and
  the same photo has unrelated keys in two shares.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

#: Bytes of a photo key's block that must decrypt to zero: a made-up key passes with chance 2**-64.
_CHECK = bytes(8)


def new_salt() -> str:
    return secrets.token_hex(16)


def token_hash(token: str) -> str:
    """What the database keeps of a token (the token has 256 random bits: a plain SHA-256 is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


class ShareKeys:
    """Tokens, photo keys and file versions of share links, from one secret."""

    def __init__(self, secret: str) -> None:
        root = secret.encode()
        self._tokens = hmac.new(root, b"shoebox share link token", hashlib.sha256).digest()
        self._photos = hmac.new(root, b"shoebox share photo key", hashlib.sha256).digest()

    def token(self, salt: str) -> str:
        """The token of the share with this salt (43 URL-safe characters)."""
        return _b64(hmac.new(self._tokens, salt.encode(), hashlib.sha256).digest())

    def photo_key(self, salt: str, photo_id: int) -> str:
        """The address of a photo within one share (22 URL-safe characters)."""
        encryptor = self._cipher(salt).encryptor()
        return _b64(encryptor.update(photo_id.to_bytes(8, "big") + _CHECK) + encryptor.finalize())

    def photo_id(self, salt: str, key: str) -> int | None:
        """The photo a key of this share names, or None for a key it never gave (whether the photo is in the
        share is the scope's question)."""
        raw = _unb64(key) if len(key) == 22 else None
        if raw is None or len(raw) != 16:
            return None
        decryptor = self._cipher(salt).decryptor()
        block = decryptor.update(raw) + decryptor.finalize()
        return int.from_bytes(block[:8], "big") if hmac.compare_digest(block[8:], _CHECK) else None

    def version(self, salt: str, sha256: str) -> str:
        """The `v=` of a shared file's URL: changes with the file, but is not its hash (which would say which
        file it is to anyone holding the same one)."""
        return hmac.new(self._photos, f"{salt}:{sha256}".encode(), hashlib.sha256).hexdigest()[:12]

    def _cipher(self, salt: str) -> Cipher:
        key = hmac.new(self._photos, salt.encode(), hashlib.sha256).digest()[:16]
        # ECB over a single 16-byte block is AES itself, a keyed permutation: exactly what an id's disguise needs.
        return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305
