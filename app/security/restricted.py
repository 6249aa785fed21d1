"""Restricted text sealed to the people who may read it (R16; docs/security.md, "Restricted
records sealed to their readers").

A restricted record's text is encrypted under a key of its own (AES-256-GCM, bound to the
table and the record's id), and that key is sealed to each reader's staff X25519 public key.
What the database, a bundle, a snapshot or a backup holds is this envelope: the data key, a
team key or a colleague's private key opens none of it. Sealing needs only public keys, so any
member of staff (a volunteer's report too, once taken in) can seal to the right readers;
opening needs one of them to be signed in.

The seal to each reader is derived from the record's key and the reader's public key alone,
so two computers that add the same reader to the same envelope write the same bytes (no
conflict between them when both sync).
"""

import json
import os

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.security import crypto

PREFIX = "confide-sealed:v1:"
MAX_ENVELOPE = 1 << 20


def is_sealed(text) -> bool:
    return isinstance(text, str) and text.startswith(PREFIX)


def _aad(table: str, record_id: str) -> bytes:
    return f"confide-restricted:v1:{table}:{record_id}".encode()


def _reader_seal(record_key: bytes, aad: bytes, user: str, public: bytes) -> dict:
    eph = X25519PrivateKey.from_private_bytes(crypto.hkdf(record_key, info=aad + b":eph:" + user.encode() + public))
    shared = eph.exchange(X25519PublicKey.from_public_bytes(public))
    wrap = crypto.hkdf(shared, info=aad + b":reader:" + user.encode())
    # One wrap key per (record key, reader): a fixed nonce is never reused under it.
    ct = crypto.seal_with_nonce(wrap, bytes(crypto.NONCE_BYTES), record_key, aad)
    return {"eph": eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex(), "ct": ct.hex()}


def seal(fields: dict, readers: dict[str, bytes], table: str, record_id: str, derived: bool = False) -> str:
    """The envelope of `fields` (a dict of text) for `readers` (username -> public key).

    `derived`: the record's key is derived from the text itself, so computers that seal the
    same record found in the clear (written before sealing, or a volunteer's report) write the
    same bytes. Whoever could confirm a guess of the whole text this way could read it anyway
    once they guessed it; a fresh write always takes a random key."""
    plain = json.dumps(fields, sort_keys=True).encode()
    aad = _aad(table, record_id)
    if derived:
        record_key = crypto.hkdf(plain, info=aad + b":derived")
        nonce = crypto.hkdf(record_key, info=aad + b":nonce")[:crypto.NONCE_BYTES]
        ct = crypto.seal_with_nonce(record_key, nonce, plain, aad)
    else:
        record_key = os.urandom(crypto.KEY_BYTES)
        nonce, ct = crypto.seal(record_key, plain, aad)
    body = {"nonce": nonce.hex(), "ct": ct.hex(),
            "to": {u: _reader_seal(record_key, aad, u, pub) for u, pub in sorted(readers.items())}}
    return PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":"))


def _body(envelope: str) -> dict | None:
    if not is_sealed(envelope) or len(envelope) > MAX_ENVELOPE:
        return None
    try:
        body = json.loads(envelope[len(PREFIX):])
    except ValueError:
        return None
    return body if isinstance(body, dict) and isinstance(body.get("to"), dict) else None


def readers(envelope: str) -> set[str]:
    body = _body(envelope)
    return set(body["to"]) if body else set()


def record_key(envelope: str, table: str, record_id: str, user: str, private: bytes | None) -> bytes | None:
    """The record's key, when `user`'s private key opens their seal; otherwise None."""
    body = _body(envelope)
    if body is None or private is None or user not in body["to"]:
        return None
    aad = _aad(table, record_id)
    mine = body["to"][user]
    try:
        shared = X25519PrivateKey.from_private_bytes(private).exchange(
            X25519PublicKey.from_public_bytes(bytes.fromhex(mine["eph"])))
        wrap = crypto.hkdf(shared, info=aad + b":reader:" + user.encode())
        return crypto.open_sealed(wrap, bytes(crypto.NONCE_BYTES), bytes.fromhex(mine["ct"]), aad)
    except (crypto.DecryptionFailed, ValueError, KeyError, TypeError):
        return None


def open_fields(envelope: str, table: str, record_id: str, user: str, private: bytes | None) -> dict | None:
    """The sealed fields, or None when this person is not one of its readers (or it was altered)."""
    key = record_key(envelope, table, record_id, user, private)
    if key is None:
        return None
    body = _body(envelope)
    try:
        fields = json.loads(crypto.open_sealed(key, bytes.fromhex(body["nonce"]), bytes.fromhex(body["ct"]),
                                               _aad(table, record_id)))
    except (crypto.DecryptionFailed, ValueError, KeyError, TypeError):
        return None
    return fields if isinstance(fields, dict) else None


def add_readers(envelope: str, table: str, record_id: str, key: bytes, more: dict[str, bytes]) -> str:
    """The same envelope with `more` readers (the text and its key unchanged: whoever could read
    it still can, and no one else gains it but those added)."""
    body = _body(envelope)
    aad = _aad(table, record_id)
    body["to"] = {**body["to"], **{u: _reader_seal(key, aad, u, pub) for u, pub in more.items()}}
    return PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":"))
