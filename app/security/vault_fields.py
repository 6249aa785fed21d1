"""Readers for vault.json's fields, each with bounds, so that a damaged or hostile file gives
one plain sentence instead of a traceback, a hang or a huge allocation."""

import base64
import binascii
import re

from app.errors import VaultFileInvalid

MAX_TEXT = 200
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")
MAX_COUNTER = 2**53  # past this a JSON number stops being exact in other readers


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def read_bytes(data: dict, name: str, what: str, lengths: range | tuple[int, ...]) -> bytes:
    """A base64 field whose decoded length is one of `lengths`. May raise: VaultFileInvalid."""
    text = data.get(name) if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise VaultFileInvalid(f"vault.json: {what} has no '{name}'.")
    if len(text) > 4 * (max(lengths) // 3 + 2):
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is far too long.")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is not valid base64.") from None
    if len(raw) not in lengths:
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' of {len(raw)} bytes, which is "
                               "not a length Confide writes.")
    return raw


def read_int(data: dict, name: str, what: str, low: int = 0, high: int = MAX_COUNTER,
             default: int | None = None) -> int:
    value = data.get(name, default) if isinstance(data, dict) else default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is not a whole number "
                               f"between {low} and {high}.")
    return value


def read_text(data: dict, name: str, what: str, default: str | None = None, limit: int = MAX_TEXT) -> str:
    value = data.get(name, default) if isinstance(data, dict) else default
    if not isinstance(value, str) or len(value) > limit:
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is not a short text.")
    return value


def read_bool(data: dict, name: str, what: str, default: bool = False) -> bool:
    value = data.get(name, default) if isinstance(data, dict) else default
    if not isinstance(value, bool):
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is not true or false.")
    return value


def read_key_id(data: dict, name: str, what: str) -> str:
    value = read_text(data, name, what)
    if not _KEY_ID.fullmatch(value):
        raise VaultFileInvalid(f"vault.json: {what} has a '{name}' that is not a key name.")
    return value


def read_head(value) -> dict:
    """The audit head {seq, hash}: seq a whole number, hash 64 hex digits (or empty at 0)."""
    if value is None:
        return {"seq": 0, "hash": ""}
    if not isinstance(value, dict):
        raise VaultFileInvalid("vault.json: the audit head is not a {seq, hash} pair.")
    seq = read_int(value, "seq", "the audit head")
    digest = value.get("hash", "")
    if not isinstance(digest, str) or not (_HEX64.fullmatch(digest) or (digest == "" and seq == 0)):
        raise VaultFileInvalid("vault.json: the audit head's hash is not 64 hexadecimal digits.")
    return {"seq": seq, "hash": digest}
