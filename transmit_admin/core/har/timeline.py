"""The auth-flow timeline of a capture and where the flow failed.

Steps are the requests to Transmit's hosts, the app's own auth-looking requests, redirects
(followed through `Location`) and failures; static assets are left out. Problems are said in
words: a 4xx/5xx with its error body, an expired or wrong-audience token (the verifier's own
reason), and clock skew between the browser's `startedDateTime` and a fresh token's `iat`.
URLs are shown without query or fragment, which is where codes and tokens travel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from transmit_admin.core.har.entry import MAX_BODY_CHARS, Entry, parse_started
from transmit_admin.core.har.finders import SecretKind
from transmit_admin.core.har.hosts import TransmitHosts
from transmit_admin.core.har.inventory import Inventory
from transmit_admin.core.printable import printable
from transmit_admin.core.redact import redact_secrets
from transmit_admin.core.report import Verdict
from transmit_admin.core.timefmt import span_text

SKEW_LIMIT = 120.0  # seconds between a token response's time and its token's `iat`
_STATIC = (
    ".js",
    ".css",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".ico",
    ".woff",
    ".woff2",
    ".map",
    ".ttf",
    ".webp",
)
_AUTH_WORDS = (
    "auth",
    "login",
    "logout",
    "token",
    "oidc",
    "session",
    "callback",
    "magic",
    "otp",
    "signin",
    "verify",
    "mfa",
    "password",
)


class Party(StrEnum):
    TRANSMIT = "transmit"
    APP = "app"


@dataclass(frozen=True, slots=True)
class Step:
    entry: int
    started: datetime | None
    started_text: str
    method: str
    where: str  # "host/path", no query or fragment
    status: int | None
    party: Party
    redirect_to: str | None = None
    problem: str | None = None
    secrets: tuple[str, ...] = ()  # kinds of the secrets this request or response carried

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "started": self.started_text,
            "method": self.method,
            "where": self.where,
            "status": self.status,
            "party": self.party.value,
            "redirect_to": self.redirect_to,
            "problem": self.problem,
            "secrets": list(self.secrets),
        }


@dataclass(slots=True)
class Timeline:
    steps: list[Step] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def failure(self) -> str | None:
        """The first problem: where the flow failed."""
        return self.problems[0] if self.problems else None

    def to_json(self) -> dict[str, Any]:
        return {"steps": [s.to_json() for s in self.steps], "problems": self.problems}


def bare(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "?"
    return f"{parts.hostname or ''}{parts.path}" or "?"


def error_words(entry: Entry) -> str:
    """The error a 4xx/5xx body gives, in its own words (bounded, secrets masked)."""
    text = entry.response_text()
    message = ""
    if text and len(text) <= MAX_BODY_CHARS and text.lstrip()[:1] == "{":
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            body = None
        if isinstance(body, dict):
            parts = []
            for name in ("error_description", "message", "error", "error_code"):
                value = body.get(name)
                if isinstance(value, list):
                    value = "; ".join(str(v) for v in value[:3])
                if isinstance(value, str | int) and str(value) not in parts:
                    parts.append(str(value))
            message = ": ".join(parts[:2])
    return printable(redact_secrets(message))[:200]


class TimelineBuilder:
    def __init__(self, hosts: TransmitHosts) -> None:
        self.hosts = hosts
        self.timeline = Timeline()
        self._seen_secret_kinds: dict[int, set[str]] = {}

    def add(self, entry: Entry, secret_kinds: set[str] | None = None) -> None:
        party = Party.TRANSMIT if self.hosts.is_transmit(entry.host) else Party.APP
        status = entry.status
        path = entry.path.lower()
        static = path.endswith(_STATIC)
        auth_like = any(word in path for word in _AUTH_WORDS)
        redirect = entry.redirect_url if status is not None and 300 <= status < 400 else ""
        failed = status is not None and status >= 400
        if not (
            party is Party.TRANSMIT
            or secret_kinds
            or redirect
            or auth_like
            or (failed and not static)
        ):
            return
        problem = None
        if failed:
            words = error_words(entry)
            problem = f"{entry.method} {bare(entry.url)} answered {status}" + (
                f": {words}" if words else ""
            )
            self.timeline.problems.append(problem)
        self.timeline.steps.append(
            Step(
                entry.index,
                entry.started,
                entry.started_text,
                entry.method,
                bare(entry.url),
                status,
                party,
                bare(redirect) if redirect else None,
                problem,
                tuple(sorted(secret_kinds or ())),
            )
        )

    def finish(self, inventory: Inventory) -> Timeline:
        """Adds the tokens' problems (verdicts, clock skew) once the inventory is verified."""
        skewed: set[str] = set()
        for item in inventory.items:
            if item.kind is not SecretKind.JWT or item.report is None:
                continue
            where = item.sightings[0].request if item.sightings else "the capture"
            if item.report.verdict is Verdict.INVALID:
                self.timeline.problems.append(
                    f"A token sent or received by {where}: {item.report.reason}"
                )
            iat = item.claims.get("iat")
            fresh = next((s for s in item.sightings if s.place.startswith("response body")), None)
            if fresh is None or not isinstance(iat, int | float) or isinstance(iat, bool):
                continue
            started = parse_started(fresh.started)
            if started is None:
                continue
            skew = float(iat) - started.timestamp()
            if abs(skew) > SKEW_LIMIT and fresh.request not in skewed:
                skewed.add(fresh.request)
                direction = "ahead of" if skew > 0 else "behind"
                self.timeline.problems.append(
                    f"Clock skew: the token from {fresh.request} was issued {span_text(abs(skew))} "
                    f"{direction} the browser's clock (the capture's time); tokens may look "
                    "not yet valid or already expired to one side."
                )
        return self.timeline
