"""Real sockets, default transport: certificate checks stay on, and failures are named."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.api.fakes import RecordingSleep, make_env, run
from transmit_admin.api.client import TransmitClient
from transmit_admin.api.errors import NetworkError
from transmit_admin.api.retry import RetryPolicy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A throwaway certificate for 127.0.0.1 that no trust store knows."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_refused_connection_is_named_and_retried_for_safe_calls() -> None:
    port = free_port()  # nothing listens there any more
    sleep = RecordingSleep()

    async def scenario() -> None:
        env = make_env(f"http://127.0.0.1:{port}")
        async with TransmitClient(env, lambda: "s", retry=RetryPolicy(sleep=sleep)) as client:
            with pytest.raises(NetworkError) as caught:
                await client.list_user_sessions("u1")
            assert caught.value.kind == "connect"
            assert "Could not connect to 127.0.0.1" in caught.value.sentence()

    run(scenario())
    assert len(sleep.waits) == 2  # three attempts of the token fetch, two waits between


def test_an_untrusted_certificate_is_refused_as_a_tls_failure(tmp_path: Path) -> None:
    context = self_signed_context(tmp_path)

    async def scenario() -> None:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        try:
            env = make_env(f"https://127.0.0.1:{port}")
            async with TransmitClient(env, lambda: "s") as client:
                with pytest.raises(NetworkError) as caught:
                    await client.client_token()
                assert caught.value.kind == "tls"
                assert "certificate" in caught.value.sentence()
        finally:
            server.close()
            await server.wait_closed()

    run(scenario())


def test_a_server_that_hangs_up_is_a_reset() -> None:
    async def scenario() -> None:
        async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.close()

        server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            env = make_env(f"http://127.0.0.1:{port}")
            policy = RetryPolicy(sleep=RecordingSleep())
            async with TransmitClient(env, lambda: "s", retry=policy) as client:
                with pytest.raises(NetworkError) as caught:
                    await client.client_token()
                assert caught.value.kind == "reset"
        finally:
            server.close()
            await server.wait_closed()

    run(scenario())
