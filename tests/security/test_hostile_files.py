"""Attack: files crafted to exhaust memory (docs/security.md, "Hostile files").

A backup, an invitation, a change bundle and a snapshot all come from outside this computer.
Each is made here as an attacker would make it (small on disk, huge when read), then read by
Confide while its peak memory is measured: RSS in a subprocess for the backup (the real
restore, as the finding measured it), tracemalloc in-process for the rest. Each is refused in
plain words, with memory bounded far below what the file asks for."""

import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib

import pytest

from app.errors import DeviceKeyFileExposed
from app.security import crypto, kdf
from app.security.device import KeyFileStore
from app.services.team import bundle, invitation, keys, snapshot
from app.services.team.bundle import BundleRefused
from app.services.team.invitation import InvitationError
from app.services.team.state import Device
from tests.security.support import ROOT

MIB = 1 << 20


def _bomb_backup(path, entry: str, size: int) -> None:
    """A backup-shaped zip whose `entry` inflates to `size` bytes of spaces (about 1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in ("manifest.json", "vault.json", "database.sqlcipher"):
            if name != entry:
                archive.writestr(name, b"{}")
                continue
            with archive.open(name, "w", force_zip64=True) as handle:
                block = b" " * MIB
                for _ in range(size // MIB):
                    handle.write(block)


RESTORE_PEAK = """
import resource, sys
from app.errors import ConfideError
from app.services.vault.restore import restore_backup
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    restore_backup(sys.argv[1], sys.argv[2], recovery_key="A" * 52)
    outcome = "restored"
except ConfideError as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before)
print(outcome)
"""


def _restore_peak_kib(tmp_path, backup) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-c", RESTORE_PEAK, str(tmp_path / "vault"), str(backup)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    grown, outcome = result.stdout.strip().split("\n", 1)
    return int(grown), outcome


@pytest.mark.parametrize("entry", ["manifest.json", "vault.json"])
def test_a_zip_bomb_backup_is_refused_with_memory_bounded(tmp_path, entry):
    # Failed before the fix: 300 KB on disk, over 600 MB of memory before it was refused.
    backup = tmp_path / "crafted.confide-backup"
    _bomb_backup(backup, entry, 300 * MIB)
    assert backup.stat().st_size < 400 * 1024
    grown_kib, outcome = _restore_peak_kib(tmp_path, backup)
    assert outcome.startswith("BackupInvalid") and "compressed, which Confide never does" in outcome, outcome
    assert grown_kib < 16 * 1024, f"restore grew by {grown_kib // 1024} MB reading a {backup.stat().st_size} byte file"


def test_a_backup_listing_thousands_of_entries_is_refused_before_they_are_read(tmp_path):
    backup = tmp_path / "many.confide-backup"
    with zipfile.ZipFile(backup, "w") as archive:
        for i in range(5000):
            archive.writestr(f"e{i}", b"")
    grown_kib, outcome = _restore_peak_kib(tmp_path, backup)
    assert outcome.startswith("BackupInvalid") and "5000 entries" in outcome, outcome


def _peak(call) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    try:
        call()
        error = None
    except BaseException as exc:  # noqa: BLE001  (the test looks at what was raised)
        error = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, error


def _device(sign_pub: str) -> Device:
    return Device("dev-1", "Office 1", 1, sign_pub, "", False, 1, None, 0, "", 0)


def test_a_bundle_that_inflates_a_thousandfold_is_refused_before_it_is_parsed():
    # Failed before the fix: the whole 200 MB body was inflated and parsed.
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    head = bundle.canonical({"team": "t", "device": "dev-1", "dseq": 1, "prev": "", "schema": 1,
                             "epoch": 1, "v": bundle.FORMAT})
    squeezer = zlib.compressobj(9)
    packed = b"".join([squeezer.compress(b'{"changes":[' + b" " * (200 * MIB)), squeezer.compress(b'],"audit":[]}'),
                       squeezer.flush()])
    nonce, ct = crypto.seal(epoch_key, packed, head)
    signed = head + nonce + ct
    payload = bundle.MAGIC + struct.pack(">I", len(head)) + signed + keys.sign(device_keys["sign_priv"], signed)
    assert len(payload) < 400 * 1024
    exp = bundle.Expectation(5, "dev-1", "t", 999, _device(device_keys["sign_pub"]), lambda _e: epoch_key)
    peak, error = _peak(lambda: bundle.open_bundle(payload, exp))
    assert isinstance(error, BundleRefused) and "more than 64 times its size" in error.message
    assert peak < 40 * MIB, f"opening the bundle took {peak // MIB} MB"


def test_an_honest_bundle_still_opens():
    device_keys, epoch_key = keys.new_device_keys(), keys.new_epoch_key()
    body = {"changes": [{"table": "note", "after": {"text": "x" * 5000}}] * 50, "audit": []}
    payload = bundle.seal({"team": "t", "device": "dev-1", "dseq": 1, "prev": "", "schema": 1, "epoch": 1},
                          body, epoch_key, device_keys["sign_priv"])
    exp = bundle.Expectation(5, "dev-1", "t", 999, _device(device_keys["sign_pub"]), lambda _e: epoch_key)
    assert bundle.open_bundle(payload, exp)[1] == body


@pytest.mark.parametrize("magic", [bundle.MAGIC, snapshot.MAGIC])
def test_a_header_the_size_of_the_file_is_refused_unparsed(magic):
    # Failed before the fix: a 24 MB header of zeros was parsed into a list of 12 million.
    header = b"[" + b"0," * (12 * MIB) + b"0]"
    payload = magic + struct.pack(">I", len(header)) + header + b"\0" * 256
    read = (lambda: bundle.parse(payload, 7)) if magic == bundle.MAGIC else (lambda: snapshot.read(payload))
    peak, error = _peak(read)
    assert isinstance(error, BundleRefused) and "damaged" in error.message
    assert peak < MIB, f"reading the header took {peak // MIB} MB"


def test_an_invitation_asking_for_a_gigabyte_of_argon2_memory_is_refused(tmp_path):
    # Failed before the fix: the file's own settings made join spend 1 GiB on the code.
    salt = os.urandom(invitation.SALT_BYTES)
    header = {"v": 1, "salt": salt.hex(), "team_name": "Team",
              "kdf": kdf.KdfParams(memory_kib=1024 * 1024, lanes=4, passes=1).to_json()}
    aad = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    path = tmp_path / "crafted.confide-invite"
    path.write_bytes(invitation.MAGIC + struct.pack(">I", len(aad)) + aad + os.urandom(64))
    peak, error = _peak(lambda: invitation.read_invitation(path, "7KQ2-M9XD-4HTP"))
    assert isinstance(error, InvitationError) and "damaged" in error.message


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o1777])
def test_a_key_file_in_a_folder_others_can_write_is_refused(tmp_path, mode):
    # Failed before the fix: a private file in a shared folder was used (whoever can write the
    # folder can put their own secret in its place).
    folder = tmp_path / "shared"
    folder.mkdir()
    store = KeyFileStore(folder / "device.key")
    store.save("vault-1", b"\x07" * 32)
    os.chmod(folder, mode)
    with pytest.raises(DeviceKeyFileExposed) as info:
        store.load("vault-1")
    assert str(folder) in info.value.message and f"{mode & 0o7777:04o}" in info.value.message
    with pytest.raises(DeviceKeyFileExposed):
        store.save("vault-1", b"\x08" * 32)
    os.chmod(folder, 0o700)  # the fix it names works
    assert store.load("vault-1") == b"\x07" * 32


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_shared_folder_above_is_refused_unless_sticky(tmp_path):
    above = tmp_path / "above"
    (above / "mine").mkdir(parents=True)
    store = KeyFileStore(above / "mine" / "device.key")
    store.save("vault-1", b"\x07" * 32)
    os.chmod(above, 0o777)
    with pytest.raises(DeviceKeyFileExposed) as info:
        store.load("vault-1")
    assert str(above) in info.value.message
    os.chmod(above, 0o1777)  # as /tmp: others cannot rename what is not theirs
    assert store.load("vault-1") == b"\x07" * 32
