"""Decrypt every page of a SQLCipher 4 file with its raw key, free pages included, so a test
can prove that erased text is gone from the bytes, not merely unreachable by SQL.

SQLCipher 4 defaults: 4096-byte pages, 80 reserved bytes at the end of each (16-byte IV,
64-byte HMAC), AES-256-CBC; with a raw key the key is used as is; page 1 starts with the
16-byte salt in place of SQLite's header magic."""

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE, RESERVE = 4096, 80


def decrypted_pages(path: Path, key: bytes) -> list[bytes]:
    data = Path(path).read_bytes()
    pages = []
    for n in range(len(data) // PAGE):
        page = data[n * PAGE:(n + 1) * PAGE]
        start = 16 if n == 0 else 0
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        body = page[start:PAGE - RESERVE]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        pages.append(dec.update(body) + dec.finalize())
    if pages:
        # Bytes 16-17 of SQLite's header hold the page size: proves the key and layout are right.
        assert pages[0][:2] == PAGE.to_bytes(2, "big"), "not decrypted: wrong key or cipher settings"
    return pages


def holds(path: Path, key: bytes, needle: bytes) -> bool:
    return any(needle in p for p in decrypted_pages(path, key))
