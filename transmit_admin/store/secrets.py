"""Client secrets per environment name, kept out of SQLite, settings files and logs.

Preference order: the OS keyring (service "transmit-admin"); when there is none, an encrypted
file in the data folder (Fernet key derived with scrypt from a passphrase); else memory only,
for this run. A plaintext store is never used: `keyrings.alt` would silently write secrets in
clear, so it counts as "no keyring" here, like keyring's `fail` and `null` backends.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets as std_secrets
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.backend import KeyringBackend

SERVICE_NAME = "transmit-admin"
SECRETS_FILE_NAME = "secrets.enc"
# scrypt cost: ~0.1 s and 32 MiB once per run, costly enough to slow guessing a passphrase.
SCRYPT_N = 2**15
_FILE_VERSION = 1

# Backends whose module starts with one of these are refused: they store plaintext, or
# store nothing, or always fail.
_REFUSED_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")
_FRIENDLY_NAMES = {
    "keyring.backends.SecretService": "GNOME Keyring",
    "keyring.backends.libsecret": "GNOME Keyring",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
}


class SecretStoreError(Exception):
    """A secret could not be read or written; the message says what to do."""


class WrongPassphrase(SecretStoreError):
    pass


class BackendKind(StrEnum):
    KEYRING = "keyring"
    ENCRYPTED_FILE = "encrypted-file"
    MEMORY = "memory"


class _Backend(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, secret: str) -> None: ...
    def delete(self, name: str) -> None: ...


def usable_keyring(candidate: KeyringBackend | None = None) -> KeyringBackend | None:
    """The best keyring backend that really keeps secrets safe, or None.

    A chainer is looked into, so that a plaintext backend ranked first cannot catch the write.
    A probe read catches a Secret Service that is advertised but not answering.
    """
    chosen = candidate if candidate is not None else keyring.get_keyring()
    found: list[KeyringBackend] = list(getattr(chosen, "backends", None) or [chosen])
    for backend in found:
        if backend.__class__.__module__.startswith(_REFUSED_MODULES):
            continue
        if _answers_probe(backend):
            return backend
    return None


def _answers_probe(backend: KeyringBackend) -> bool:
    try:
        backend.get_password(SERVICE_NAME, "__probe__")
    except Exception:  # noqa: BLE001 - any failure here means "not usable"
        return False
    return True


def keyring_description(backend: KeyringBackend) -> str:
    module = backend.__class__.__module__
    for prefix, name in _FRIENDLY_NAMES.items():
        if module.startswith(prefix):
            return name
    return str(getattr(backend, "name", backend.__class__.__name__))


class _KeyringBackendAdapter:
    def __init__(self, backend: KeyringBackend) -> None:
        self._backend = backend

    def get(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(SERVICE_NAME, name)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"the keyring refused to read the secret: {exc}") from None
        return None if value is None else str(value)

    def set(self, name: str, secret: str) -> None:
        try:
            self._backend.set_password(SERVICE_NAME, name, secret)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"the keyring refused to store the secret: {exc}") from None

    def delete(self, name: str) -> None:
        # Deleting what is not there is not an error for the caller.
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._backend.delete_password(SERVICE_NAME, name)


class _MemoryBackend:
    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._secrets.get(name)

    def set(self, name: str, secret: str) -> None:
        self._secrets[name] = secret

    def delete(self, name: str) -> None:
        self._secrets.pop(name, None)


def _derive_key(passphrase: str, salt: bytes, n: int) -> bytes:
    raw = Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


class _EncryptedFileBackend:
    """All secrets in one Fernet token; the file holds only salt, cost and ciphertext."""

    def __init__(self, path: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N) -> None:
        if not passphrase:
            raise SecretStoreError("the passphrase for the encrypted secrets file is empty")
        self._path = path
        if path.exists():
            header = self._read_header()
            self._salt = base64.b64decode(str(header["salt"]))
            self._n = int(str(header["n"]))
            self._fernet = Fernet(_derive_key(passphrase, self._salt, self._n))
            self._secrets = self._decrypt(str(header["token"]))
        else:
            self._salt = std_secrets.token_bytes(16)
            self._n = scrypt_n
            self._fernet = Fernet(_derive_key(passphrase, self._salt, self._n))
            self._secrets = {}

    def _read_header(self) -> dict[str, object]:
        try:
            header = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SecretStoreError(
                f"the encrypted secrets file {self._path} cannot be read ({exc}); "
                "move it aside to start a new one"
            ) from None
        if not isinstance(header, dict) or header.get("version") != _FILE_VERSION:
            raise SecretStoreError(f"{self._path} is not a transmit-admin secrets file")
        return header

    def _decrypt(self, token: str) -> dict[str, str]:
        try:
            plain = self._fernet.decrypt(token.encode("ascii"))
        except InvalidToken:
            raise WrongPassphrase(
                f"wrong passphrase for the encrypted secrets file {self._path}: "
                "try again, or move the file aside and enter the client secrets anew"
            ) from None
        data = json.loads(plain)
        return {str(k): str(v) for k, v in data.items()}

    def _write(self) -> None:
        token = self._fernet.encrypt(json.dumps(self._secrets).encode("utf-8")).decode("ascii")
        body = {
            "version": _FILE_VERSION,
            "kdf": "scrypt",
            "n": self._n,
            "salt": base64.b64encode(self._salt).decode("ascii"),
            "token": token,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self._path)

    def get(self, name: str) -> str | None:
        return self._secrets.get(name)

    def set(self, name: str, secret: str) -> None:
        self._secrets[name] = secret
        self._write()

    def delete(self, name: str) -> None:
        if self._secrets.pop(name, None) is not None:
            self._write()


class SecretStore:
    """Client secrets by environment name. Build it with `open` or one of the explicit makers."""

    def __init__(self, kind: BackendKind, backend: _Backend, description: str) -> None:
        self.kind = kind
        self._backend = backend
        self._description = description

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        passphrase: str | None = None,
        keyring_backend: KeyringBackend | None = None,
    ) -> SecretStore:
        """The keyring if usable; else the encrypted file if a passphrase is given; else memory."""
        backend = usable_keyring(keyring_backend)
        if backend is not None:
            return cls.in_keyring(backend)
        if passphrase:
            return cls.encrypted_file(data_dir / SECRETS_FILE_NAME, passphrase)
        return cls.in_memory()

    @classmethod
    def in_keyring(cls, backend: KeyringBackend) -> SecretStore:
        return cls(
            BackendKind.KEYRING, _KeyringBackendAdapter(backend), keyring_description(backend)
        )

    @classmethod
    def encrypted_file(
        cls, path: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N
    ) -> SecretStore:
        """Opens (or prepares) the file; raises `WrongPassphrase` when it does not decrypt."""
        backend = _EncryptedFileBackend(path, passphrase, scrypt_n=scrypt_n)
        return cls(BackendKind.ENCRYPTED_FILE, backend, "encrypted file")

    @classmethod
    def in_memory(cls) -> SecretStore:
        return cls(BackendKind.MEMORY, _MemoryBackend(), "this run only")

    @property
    def is_persistent(self) -> bool:
        return self.kind is not BackendKind.MEMORY

    def backend_description(self) -> str:
        """A short name for the UI: "GNOME Keyring", "encrypted file", "this run only"."""
        return self._description

    def get(self, environment_name: str) -> str | None:
        return self._backend.get(environment_name)

    def set(self, environment_name: str, secret: str) -> None:
        if not secret:
            raise SecretStoreError("an empty client secret cannot be stored")
        self._backend.set(environment_name, secret)

    def delete(self, environment_name: str) -> None:
        self._backend.delete(environment_name)

    def __repr__(self) -> str:  # never shows a secret, only where they live
        return f"SecretStore({self._description!r})"
