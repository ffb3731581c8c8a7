"""The `sessions` actions that call Transmit: one result line per session, exit 1 on failure."""

from __future__ import annotations

import argparse
import sys

from transmit_admin.commands._say import say
from transmit_admin.commands._session_context import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    run_service,
)
from transmit_admin.core.extract import MAX_INPUT_BYTES, extract_tokens
from transmit_admin.services.results import ActionResult
from transmit_admin.services.session_service import SessionService


def _exit_code(ok: bool) -> int:
    return EXIT_OK if ok else EXIT_FAILED


def _read_input(source: str) -> str:
    try:
        if source == "-":
            text = sys.stdin.read(MAX_INPUT_BYTES + 1)
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise CommandFailed(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{source} is not UTF-8 text") from None
    if len(text) > MAX_INPUT_BYTES:
        raise CommandFailed(f"{source} is larger than {MAX_INPUT_BYTES // 2**20} MiB")
    if not text.strip():
        raise CommandFailed(f"{source} is empty; expected a token response (JSON)")
    return text


def _token_response_text(text: str) -> str | dict[str, object]:
    """The JSON object itself, or the one found inside pasted log text or a curl transcript."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return stripped
    found = extract_tokens(text).token_response
    return found if found is not None else stripped


def track(args: argparse.Namespace) -> int:
    response = _token_response_text(_read_input(args.file))

    async def action(service: SessionService) -> int:
        result = await service.track_token_response(response, local_ref=args.local_ref)
        say(result.line())
        if not result.ok:
            for report in result.reports:
                say(f"  {report.label}: {report.reason}")
        return _exit_code(result.ok)

    return run_service(args, action)


def _print_result(result: ActionResult) -> None:
    say(result.line(), flush=True)


def revoke(args: argparse.Namespace) -> int:
    ids = list(dict.fromkeys(args.session_ids))

    async def action(service: SessionService) -> int:
        results = await service.revoke_many(
            ids, concurrency=args.concurrency, on_result=_print_result
        )
        failed = [r for r in results if not r.ok]
        if len(ids) > 1:
            say(f"{len(ids) - len(failed)} of {len(ids)} done, {len(failed)} failed")
        return _exit_code(not failed)

    return run_service(args, action)


def _single(args: argparse.Namespace, name: str) -> int:
    async def action(service: SessionService) -> int:
        method = {
            "check": service.check_alive,
            "reauth": service.reauthenticate,
        }[name]
        result = await method(args.session_id)
        _print_result(result)
        return _exit_code(result.ok)

    return run_service(args, action)


def check(args: argparse.Namespace) -> int:
    return _single(args, "check")


def reauth(args: argparse.Namespace) -> int:
    return _single(args, "reauth")


def sync(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        result = await service.sync_user(args.user)
        for session_id in result.inserted:
            say(f"{session_id}: new (synced)")
        for session_id in result.updated:
            say(f"{session_id}: still listed")
        for session_id in result.ended:
            say(f"{session_id}: ended (no longer listed)")
        say(result.line())
        return _exit_code(result.ok)

    return run_service(args, action)


def revoke_user(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        result = await service.revoke_user(args.user)
        for session_id in result.revoked:
            say(f"{session_id}: revoked")
        say(result.line())
        return _exit_code(result.ok)

    return run_service(args, action)


def mfa_send(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        result = await service.send_magic_link_factor(
            args.session_id, args.redirect_uri, args.email
        )
        _print_result(result)
        return _exit_code(result.ok)

    return run_service(args, action)


def mfa_complete(args: argparse.Namespace) -> int:
    async def action(service: SessionService) -> int:
        result = await service.complete_magic_link_factor(args.session_id, args.code)
        _print_result(result)
        return _exit_code(result.ok)

    return run_service(args, action)
