"""SecretStore: a real Secret Service (gnome-keyring), an encrypted file, memory; no plaintext."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest

from transmit_admin.store.secrets import (
    SECRETS_FILE_NAME,
    BackendKind,
    SecretStore,
    SecretStoreError,
    WrongPassphrase,
    usable_keyring,
)

# A low scrypt cost keeps these tests fast; the production cost is tested once below.
FAST_N = 2**10
SECRET = "s3cr3t-" + "x" * 24

# Runs inside the keyring under test: store, read back, list the backend, delete.
KEYRING_ROUND_TRIP = """
import sys
from transmit_admin.store.secrets import BackendKind, SecretStore
store = SecretStore.open(__import__('pathlib').Path(sys.argv[1]))
assert store.kind is BackendKind.KEYRING, store.backend_description()
name = sys.argv[2]
store.set(name, sys.argv[3])
assert store.get(name) == sys.argv[3]
store.delete(name)
assert store.get(name) is None
store.delete(name)  # deleting twice is fine
print(store.backend_description())
"""


def _run_keyring_round_trip(tmp_path: Path, wrapper: list[str]) -> str:
    name = f"test-{uuid.uuid4().hex}"
    result = subprocess.run(
        [*wrapper, sys.executable, "-c", KEYRING_ROUND_TRIP, str(tmp_path), name, SECRET],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_real_secret_service_round_trip(tmp_path: Path) -> None:
    """`make test` runs under dbus-run-session with an unlocked gnome-keyring; outside it the
    test starts its own private one, so it runs everywhere gnome-keyring is installed."""
    if usable_keyring() is not None:
        description = _run_keyring_round_trip(tmp_path, [])
    else:
        missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
        assert not missing, (
            f"no Secret Service is usable and {', '.join(missing)} is not installed: "
            "run `scripts/system-deps.sh --test` (installs dbus and gnome-keyring)"
        )
        start_keyring = (
            'echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; '
            'exec "$0" "$@"'
        )
        wrapper = ["dbus-run-session", "--", "sh", "-c", start_keyring]
        description = _run_keyring_round_trip(tmp_path, wrapper)
    assert description == "GNOME Keyring"


def test_no_keyring_and_no_passphrase_means_memory_only(tmp_path: Path) -> None:
    store = SecretStore.open(tmp_path, keyring_backend=keyring.backends.fail.Keyring())
    assert store.kind is BackendKind.MEMORY
    assert store.backend_description() == "this run only"
    assert not store.is_persistent
    store.set("dev", SECRET)
    assert store.get("dev") == SECRET
    store.delete("dev")
    assert store.get("dev") is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "refused", [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()]
)
def test_refused_backends_are_not_usable(refused: object) -> None:
    assert usable_keyring(refused) is None  # type: ignore[arg-type]


def test_a_plaintext_backend_is_refused() -> None:
    # keyrings.alt is not installed here; a class from a module of that name stands in for it.
    plaintext_class = type("PlaintextKeyring", (keyring.backends.null.Keyring,), {})
    plaintext_class.__module__ = "keyrings.alt.file"
    assert usable_keyring(plaintext_class()) is None


def test_encrypted_file_round_trip_and_permissions(tmp_path: Path) -> None:
    path = tmp_path / SECRETS_FILE_NAME
    store = SecretStore.encrypted_file(path, "correct horse", scrypt_n=FAST_N)
    assert store.backend_description() == "encrypted file"
    store.set("dev", SECRET)
    store.set("prod", "other-secret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert SECRET.encode() not in path.read_bytes()
    assert b"dev" not in path.read_bytes()  # even the environment names are encrypted

    reopened = SecretStore.encrypted_file(path, "correct horse")
    assert reopened.get("dev") == SECRET
    reopened.delete("dev")
    assert SecretStore.encrypted_file(path, "correct horse").get("dev") is None
    assert SecretStore.encrypted_file(path, "correct horse").get("prod") == "other-secret"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_encrypted_file_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / SECRETS_FILE_NAME
    SecretStore.encrypted_file(path, "right", scrypt_n=FAST_N).set("dev", SECRET)
    with pytest.raises(WrongPassphrase, match="wrong passphrase") as caught:
        SecretStore.encrypted_file(path, "wrong")
    assert SECRET not in str(caught.value)
    assert str(path) in str(caught.value)


def test_damaged_encrypted_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / SECRETS_FILE_NAME
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(SecretStoreError, match="move it aside"):
        SecretStore.encrypted_file(path, "pw")


def test_open_uses_the_encrypted_file_when_no_keyring_and_a_passphrase(tmp_path: Path) -> None:
    store = SecretStore.open(
        tmp_path, passphrase="pw", keyring_backend=keyring.backends.fail.Keyring()
    )
    assert store.kind is BackendKind.ENCRYPTED_FILE
    store.set("dev", SECRET)  # production scrypt cost, once
    assert (tmp_path / SECRETS_FILE_NAME).exists()
    assert SECRET not in repr(store)


def test_empty_secret_and_empty_passphrase_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError):
        SecretStore.in_memory().set("dev", "")
    with pytest.raises(SecretStoreError, match="passphrase"):
        SecretStore.encrypted_file(tmp_path / SECRETS_FILE_NAME, "")


def test_encrypted_file_is_owner_only_under_a_permissive_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # a permissive umask must not widen the file's permissions
    try:
        path = tmp_path / SECRETS_FILE_NAME
        SecretStore.encrypted_file(path, "pw", scrypt_n=FAST_N).set("dev", SECRET)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
