"""A throwaway PostgreSQL cluster for the team tests: initdb in a temporary folder, a free
loopback port, password authentication (scram-sha-256) so wrong passwords and role limits are
real, stopped (`-m immediate`) and deleted afterwards.

CI runs as root and `initdb` refuses root: the folder then belongs to the `postgres` system
user (Debian's package creates it) and the server runs as that user through `runuser`.
Binaries: `pg_ctl` on the PATH, else the newest `/usr/lib/postgresql/<major>/bin`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "cluster_admin"
REQUIRED_ENV = "TRANSMIT_ADMIN_REQUIRE_POSTGRES"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here; the message says what to install."""


def required() -> bool:
    """True where a missing PostgreSQL must fail the team tests rather than skip them."""
    return bool(os.environ.get("CI")) or bool(os.environ.get(REQUIRED_ENV))


def find_bin_dir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on the PATH or in "
        "/usr/lib/postgresql/*/bin: install Debian's `postgresql` package "
        "(scripts/system-deps.sh --test does) or put pg_ctl on the PATH."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    folder: Path
    port: int
    password: str
    _as_postgres: bool

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def conninfo(
        self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        return psycopg.conninfo.make_conninfo(
            host="127.0.0.1",
            port=self.port,
            user=user,
            password=self.password if password is None else password,
            dbname=dbname,
            sslmode="disable",
            connect_timeout=5,
        )

    def admin(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.conninfo(dbname=dbname), autocommit=True)

    def create_database(self, name: str, owner_password: str) -> str:
        """A database `name` owned by a new role `<name>_owner` (CREATEROLE, not superuser):
        the team owner of the issue. Returns the owner's role name."""
        owner = f"{name}_owner"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                    sql.Identifier(owner), sql.Literal(owner_password)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(owner)
                )
            )
        return owner

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=60)

    @property
    def ca_file(self) -> Path:
        """The test CA that signed the server's certificate (valid for 127.0.0.1 only)."""
        return self.folder / "ca.pem"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c ssl=on -c ssl_cert_file={self.folder / 'server.pem'} "
            f"-c ssl_key_file={self.folder / 'server.key'}"
        )
        result = self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            options,
            "start",
            check=False,
        )
        if result.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}\n{log}")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bin_dir = find_bin_dir()
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="transmit-admin-pg-"))
    password = secrets.token_urlsafe(16)
    cluster = Cluster(bin_dir, folder, free_port(), password, as_postgres)
    try:
        pwfile = folder / "pwfile"
        pwfile.write_text(password + "\n")
        if as_postgres:
            shutil.chown(folder, "postgres")
            shutil.chown(pwfile, "postgres")
        cluster.run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            SUPERUSER,
            "-A",
            "scram-sha-256",
            "--pwfile",
            str(pwfile),
            "-E",
            "UTF8",
            "--no-sync",
        )
        pwfile.unlink()
        _write_certificates(folder, owner="postgres" if as_postgres else None)
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _write_certificates(folder: Path, owner: str | None) -> None:
    """A CA made for this run and a server certificate it signs, for IP 127.0.0.1 only: so
    `verify-full` to 127.0.0.1 passes and to `localhost` fails its host name check."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "transmit-admin test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = folder / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    if owner:
        for name in ("server.pem", "server.key"):
            shutil.chown(folder / name, owner)
