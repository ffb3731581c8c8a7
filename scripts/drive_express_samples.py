"""Drives one of Transmit's Express sample backends the way its pages do; PASS/FAIL per step.

Used by scripts/try-express-samples.sh, which starts the sandbox and the sample's backend
(vite + vite-plugin-mix, the sample unmodified) first. Standard library only, plus the
`transmit-admin` command for the console steps. Not part of the test suite.

    python scripts/drive_express_samples.py SAMPLE --sample-url http://localhost:8080 \
        --env-file samples/.env --cli .venv/bin/transmit-admin

Every step checks what the sample's backend answers its page, and where the sample hides
Transmit's answer, what the sandbox itself answers (`/sandbox/outbox`, a direct API call).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

PASSWORD = "My-Pass-123!"  # noqa: S105 (a throw-away sandbox user)
SYNC_LINE = re.compile(
    r"(\d+) session\(s\) at Transmit; (\d+) new, (\d+) updated, (\d+) marked ended"
)
NEW_LINE = re.compile(r"^(\S+): new \(synced\)$", re.MULTILINE)


class StepFailed(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Answer:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise StepFailed(f"not JSON: {self.body[:200]!r}") from None

    def __repr__(self) -> str:
        return f"{self.status} {self.body[:300].decode('utf-8', 'replace')}"


class Browser:
    """The page's side: same-origin fetches with the sample's session cookie, no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        url = path if path.startswith("http") else self.base + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())


class Sandbox:
    """Direct calls to the sandbox (helper routes, and Transmit paths with a client token)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.base = env["VITE_TS_API_BASE"].rstrip("/")
        self.env = env
        self._token: str | None = None

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())

    def helper(self, path: str, **query: str) -> Any:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._open(urllib.request.Request(url)).json()  # noqa: S310

    def token(self) -> str:
        if self._token is None:
            form = urllib.parse.urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_id": self.env["VITE_TS_CLIENT_ID"],
                    "client_secret": self.env["TS_CLIENT_SECRET"],
                }
            ).encode()
            request = urllib.request.Request(self.base + "/oidc/token", data=form)  # noqa: S310
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            self._token = self._open(request).json()["access_token"]
        return self._token

    def post(self, path: str, body: Any) -> Answer:
        data = json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST")  # noqa: S310
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.token()}")
        return self._open(request)

    def latest(self, recipient: str) -> dict[str, Any]:
        messages = self.helper("/sandbox/outbox", recipient=recipient)
        if not messages:
            raise StepFailed(f"nothing in /sandbox/outbox for {recipient}")
        latest: dict[str, Any] = messages[0]
        return latest


class Run:
    def __init__(self, sample: str, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.sample = sample
        self.page = Browser(args.sample_url)
        self.sandbox = Sandbox(env)
        self.env = env
        self.cli = args.cli
        self.pause = args.pause
        self.failures = 0
        self.tag = f"{int(time.time())}{os.getpid() % 1000:03d}"
        self.cli_env = {**os.environ, **{k: v for k, v in env.items() if k.startswith("TRANSMIT_")}}
        self.synced: list[str] = []  # session ids the last `sessions sync` added

    def step(self, name: str, action: Callable[[], str | None]) -> None:
        try:
            detail = action()
        except StepFailed as failure:
            self.failures += 1
            print(f"FAIL {self.sample}: {name}: {failure}", flush=True)
        except Exception as error:  # noqa: BLE001 (a broken step must not hide the others)
            self.failures += 1
            print(f"FAIL {self.sample}: {name}: {type(error).__name__}: {error}", flush=True)
        else:
            print(f"PASS {self.sample}: {name}{': ' + detail if detail else ''}", flush=True)

    def wait_like_a_person(self) -> None:
        # A person reads the mail or SMS before typing the code: longer than Node's 5 s idle
        # keep-alive, which is what exposed the sandbox's keep-alive race.
        time.sleep(self.pause)

    # --- console -------------------------------------------------------------------------
    def transmit_admin(self, *argv: str) -> str:
        done = subprocess.run(  # noqa: S603
            [self.cli, *argv], env=self.cli_env, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise StepFailed(
                f"transmit-admin {' '.join(argv)}: exit {done.returncode}: "
                f"{(done.stdout + done.stderr).strip()[-400:]}"
            )
        return done.stdout

    def sync(self, user: str, new: int = 0, ended: int = 0) -> str:
        out = self.transmit_admin("sessions", "sync", user)
        self.synced = NEW_LINE.findall(out)
        found = SYNC_LINE.search(out)
        if not found:
            raise StepFailed(f"unexpected sync output: {out.strip()}")
        _listed, got_new, _, got_ended = (int(g) for g in found.groups())
        if (got_new, got_ended) != (new, ended):
            raise StepFailed(f"expected {new} new, {ended} marked ended: {found.group(0)}")
        return found.group(0)

    def stored(self, user: str, status: str) -> list[dict[str, Any]]:
        sessions: list[dict[str, Any]] = json.loads(
            self.transmit_admin("sessions", "list", "--user", user, "--json")
        )
        if not any(s["status"] == status for s in sessions):
            raise StepFailed(f"no {status} session of {user} in the store: {sessions}")
        return sessions

    def console_shows(self, user: str, status: str, session_id: str | None = None) -> str:
        sessions = self.stored(user, status)
        ids = [s["session_id"] for s in sessions if s["status"] == status]
        if session_id is not None and session_id not in ids:
            raise StepFailed(f"session {session_id} is not {status} in the store: {sessions}")
        return f"`sessions list --user {user}`: {status} {', '.join(ids)}"

    # --- checks --------------------------------------------------------------------------
    @staticmethod
    def expect(answer: Answer, status: int) -> Any:
        if answer.status != status:
            raise StepFailed(f"expected {status}, got {answer!r}")
        return answer.json() if answer.body else None

    @staticmethod
    def redirect(answer: Answer, location_prefix: str) -> str:
        location = answer.headers.get("Location", "") if answer.headers else ""
        if answer.status != 302 or not location.startswith(location_prefix):
            raise StepFailed(f"expected 302 to {location_prefix}…, got {answer!r} {location!r}")
        return location

    def user_token_claims(self, claims: Any, user_id: str) -> str:
        if not isinstance(claims, dict):
            raise StepFailed(f"not token claims: {claims!r}")
        expected = {"sub": user_id, "iss": self.env["VITE_TS_API_BASE"].rstrip("/")}
        wrong = {k: claims.get(k) for k, v in expected.items() if claims.get(k) != v}
        if wrong:
            raise StepFailed(f"claims {wrong} differ from {expected}")
        return f"validated access token of {user_id}"

    def dead_session(self, session_id: str) -> str:
        answer = self.sandbox.post("/cis/v1/auth/session/authenticate", {"session_id": session_id})
        body = self.expect(answer, 400)
        if body.get("message") != "Session not found":
            raise StepFailed(f"expected 'Session not found', got {body}")
        return "silent auth of the logged-out session: 400 Session not found"


def email_user(run: Run, kind: str) -> tuple[str, list[str]]:
    """Sign-up with an email (email, magic-link and silent samples); returns email and user id."""
    email = f"{kind}.{run.tag}@example.com"
    holder: list[str] = []

    def signup() -> str:
        body = run.expect(run.page.call("POST", "/create-user", {"email": email}), 201)
        result = body["result"]
        if result["email"]["value"] != email or result["status"] != "Active":
            raise StepFailed(f"unexpected user: {result}")
        holder.append(result["user_id"])
        return f"201, user {result['user_id']}"

    def signup_again() -> str:
        body = run.expect(run.page.call("POST", "/create-user", {"email": email}), 409)
        return f"409 {body['message']}"

    run.step("sign-up (POST /create-user → POST /cis/v1/users)", signup)
    run.step("sign-up again with the same email", signup_again)
    return email, holder


def sample_email(run: Run) -> None:
    run.step(
        "GET / redirects to the sign-up page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/signup.html"),
    )
    email, user = email_user(run, "be-email")

    def send() -> str:
        body = run.expect(run.page.call("POST", "/send-email-otp", {"email": email}), 200)
        if body.get("message") != "OTP sent":
            raise StepFailed(f"unexpected answer {body}")
        message = run.sandbox.latest(email)
        if not re.fullmatch(r"\d{6}", message.get("code") or ""):
            raise StepFailed(f"no code in the outbox: {message}")
        return f"code {message['code']} in /sandbox/outbox"

    def wrong_code() -> str:
        # The sample turns any failed authentication into 500 (it cannot read the token).
        answer = run.page.call("POST", "/authenticate", {"email": email, "otpCode": "000000"})
        run.expect(answer, 500)
        return "refused (sample answers 500; sandbox 401 auth_invalid_credentials)"

    def authenticate() -> str:
        run.wait_like_a_person()
        code = run.sandbox.latest(email)["code"]
        answer = run.page.call("POST", "/authenticate", {"email": email, "otpCode": code})
        return run.user_token_claims(run.expect(answer, 200), user[0])

    run.step("send email OTP (POST /send-email-otp)", send)
    run.step("wrong OTP", wrong_code)
    run.step("authenticate with the OTP from the mailbox", authenticate)
    run.step(
        "console: sessions sync adds the session",
        lambda: run.sync(email, new=1) + "; " + run.console_shows(email, "active"),
    )


def sample_magiclink(run: Run) -> None:
    run.step(
        "GET / redirects to the sign-up page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/signup.html"),
    )
    email, user = email_user(run, "be-magiclink")
    codes: list[str] = []

    def send() -> str:
        body = run.expect(run.page.call("POST", "/send-magic-link", {"email": email}), 200)
        if body.get("message") != "Email sent successfully":
            raise StepFailed(f"unexpected answer {body}")
        link = run.sandbox.latest(email).get("link") or ""
        prefix = run.env["TS_REDIRECT_URI"] + "?code="
        if not link.startswith(prefix):
            raise StepFailed(f"link {link!r} does not start with {prefix}")
        codes.append(link[len(prefix) :])
        return f"link to {run.env['TS_REDIRECT_URI']} in /sandbox/outbox"

    def click() -> str:
        run.wait_like_a_person()
        link = run.sandbox.latest(email)["link"]
        return run.redirect(run.page.call("GET", link), "/pages/complete.html?code=")

    def authenticate() -> str:
        answer = run.page.call("POST", "/authenticate", {"code": codes[0]})
        return run.user_token_claims(run.expect(answer, 200), user[0])

    def reuse() -> str:
        run.expect(run.page.call("POST", "/authenticate", {"code": codes[0]}), 500)
        return "refused (sample answers 500; sandbox 400 Invalid magic link code)"

    run.step("send magic link (POST /send-magic-link)", send)
    run.step("click the link (GET /complete?code=…)", click)
    run.step("authenticate the code (POST /authenticate)", authenticate)
    run.step("the link is single-use", reuse)
    run.step(
        "console: sessions sync adds the session",
        lambda: run.sync(email, new=1) + "; " + run.console_shows(email, "active"),
    )


def sample_sms(run: Run) -> None:
    run.step(
        "GET / redirects to the sign-up page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/signup.html"),
    )
    phone = "+1555" + run.tag[-7:]
    user: list[str] = []

    def signup() -> str:
        body = run.expect(run.page.call("POST", "/create-user", {"phone": phone}), 201)
        if body["result"]["phone_number"]["value"] != phone:
            raise StepFailed(f"unexpected user {body}")
        user.append(body["result"]["user_id"])
        return f"201, user {user[0]}"

    def send() -> str:
        body = run.expect(run.page.call("POST", "/send-sms-otp", {"phone_number": phone}), 200)
        if body.get("message") != "OTP sent":
            raise StepFailed(f"unexpected answer {body}")
        return f"code {run.sandbox.latest(phone)['code']} in /sandbox/outbox"

    def authenticate() -> str:
        run.wait_like_a_person()
        code = run.sandbox.latest(phone)["code"]
        answer = run.page.call("POST", "/authenticate", {"phone_number": phone, "otpCode": code})
        return run.user_token_claims(run.expect(answer, 200), user[0])

    run.step("sign-up with a phone number (POST /create-user)", signup)
    run.step(
        "sign-up again with the same phone number",
        lambda: (
            "409 "
            + run.expect(run.page.call("POST", "/create-user", {"phone": phone}), 409)["message"]
        ),
    )
    run.step("send SMS OTP (POST /send-sms-otp)", send)
    run.step("authenticate with the OTP from the outbox", authenticate)
    run.step(
        "console: sessions sync (by user id) adds the session",
        lambda: run.sync(user[0], new=1) + "; " + run.console_shows(user[0], "active"),
    )


def sample_mfa(run: Run) -> None:
    run.step(
        "GET / redirects to the sign-up page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/signup.html"),
    )
    username = f"be-mfa.{run.tag}"
    phone = "+1556" + run.tag[-7:]
    user: list[str] = []
    session: list[str] = []
    signup_body = {"username": username, "password": PASSWORD, "phone": phone}

    def signup() -> str:
        body = run.expect(run.page.call("POST", "/create-user", signup_body), 201)
        result = body["result"]
        if result["username"] != username or result["phone_number"]["value"] != phone:
            raise StepFailed(f"unexpected user {result}")
        user.append(result["user_id"])
        return f"201, user {user[0]}"

    def login() -> str:
        answer = run.page.call("POST", "/login", {"username": username, "password": PASSWORD})
        body = run.expect(answer, 200)
        if body != {"status": "SMS OTP sent"}:
            raise StepFailed(f"unexpected answer {body}")
        return f"password accepted, SMS code {run.sandbox.latest(phone)['code']} in the outbox"

    def verify() -> str:
        run.wait_like_a_person()
        code = run.sandbox.latest(phone)["code"]
        body = run.expect(run.page.call("POST", "/verify-sms-otp", {"otpCode": code}), 200)
        if body != {"status": "success"}:
            raise StepFailed(f"unexpected answer {body}")
        return "success"

    def id_token() -> str:
        claims = run.expect(run.page.call("GET", "/user"), 200)["result"]
        if claims.get("sub") != user[0] or claims.get("amr") != ["pwd", "sms", "mfa"]:
            raise StepFailed(f"unexpected ID token claims {claims}")
        return f"amr {claims['amr']}"

    def console() -> str:
        synced = run.sync(user[0], new=1)
        session.extend(run.synced)
        return synced + "; " + run.console_shows(user[0], "active", session[0])

    def logout() -> str:
        answer = run.page.call("POST", "/logout")
        if answer.status != 204:
            raise StepFailed(f"expected 204, got {answer!r}")
        run.expect(run.page.call("GET", "/user"), 404)
        return "204, then GET /user 404"

    run.step("sign-up (username, password, phone)", signup)
    run.step(
        "sign-up again with the same username",
        lambda: (
            "409 " + run.expect(run.page.call("POST", "/create-user", signup_body), 409)["message"]
        ),
    )
    run.step(
        "wrong password",
        lambda: (
            "401 "
            + run.expect(
                run.page.call("POST", "/login", {"username": username, "password": "nope"}), 401
            )["response"]["error_code"]
        ),
    )
    run.step("login: password, then SMS OTP sent to the user's phone", login)
    run.step("second factor: SMS OTP into the same session", verify)
    run.step("ID token of the MFA session", id_token)
    run.step("console: sessions sync adds the session", console)
    run.step("logout (Restart button)", logout)
    run.step("Transmit forgot the session", lambda: run.dead_session(session[0]))
    run.step(
        "console: sessions sync marks it ended",
        lambda: run.sync(user[0], ended=1) + "; " + run.console_shows(user[0], "ended", session[0]),
    )


def sample_password(run: Run) -> None:
    run.step(
        "GET / redirects to the login page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/login.html"),
    )
    username = f"be-password.{run.tag}"
    user: list[str] = []
    session: list[str] = []
    credentials = {"username": username, "password": PASSWORD}

    def signup() -> str:
        body = run.expect(run.page.call("POST", "/signup", credentials), 200)
        if body != {"status": "success"}:
            raise StepFailed(f"unexpected answer {body}")
        return "signed up and logged in"

    def me() -> str:
        claims = run.expect(run.page.call("GET", "/user"), 200)["result"]
        if claims.get("username") != username or claims.get("amr") != ["pwd"]:
            raise StepFailed(f"unexpected ID token claims {claims}")
        if not user:
            user.append(claims["sub"])
        return f"user {claims['sub']}, username claim, amr {claims['amr']}"

    def signup_again() -> str:
        # The sample relays Transmit's status inside a 200.
        body = run.expect(run.page.call("POST", "/signup", credentials), 200)
        if body.get("status") != 409:
            raise StepFailed(f"expected Transmit's 409 inside the answer, got {body}")
        return f"409 {body['response']['message']}"

    def wrong_password() -> str:
        answer = run.page.call("POST", "/login", {"username": username, "password": "nope"})
        body = run.expect(answer, 401)
        return f"401 {body['response']['error_code']}"

    def console() -> str:
        synced = run.sync(user[0], new=1)
        session.extend(run.synced)
        return synced + "; " + run.console_shows(user[0], "active", session[0])

    def logout() -> str:
        answer = run.page.call("POST", "/logout")
        if answer.status != 204:
            raise StepFailed(f"expected 204, got {answer!r}")
        run.expect(run.page.call("GET", "/user"), 404)
        return "204, then GET /user 404"

    def login() -> str:
        body = run.expect(run.page.call("POST", "/login", credentials), 200)
        if body != {"status": "success"}:
            raise StepFailed(f"unexpected answer {body}")
        return "success"

    run.step("sign-up (POST /signup: create user, then password login)", signup)
    run.step("GET /user: ID token claims", me)
    run.step("sign-up again with the same username", signup_again)
    run.step("wrong password", wrong_password)
    run.step("console: sessions sync adds the session", console)
    run.step("logout", logout)
    run.step("Transmit forgot the session", lambda: run.dead_session(session[0]))
    run.step(
        "console: sessions sync marks it ended",
        lambda: run.sync(user[0], ended=1) + "; " + run.console_shows(user[0], "ended", session[0]),
    )
    run.step("log in again (POST /login)", login)
    run.step("GET /user after login", me)
    run.step(
        "console: sessions sync adds the new session",
        lambda: run.sync(user[0], new=1) + "; " + run.console_shows(user[0], "active"),
    )


def sample_silent(run: Run) -> None:
    run.step(
        "GET / redirects to the sign-up page",
        lambda: run.redirect(run.page.call("GET", "/"), "/pages/signup.html"),
    )
    email, user = email_user(run, "be-silent")
    session: list[str] = []

    def send() -> str:
        body = run.expect(run.page.call("POST", "/send-magic-link", {"email": email}), 200)
        if body.get("message") != "Email sent successfully":
            raise StepFailed(f"unexpected answer {body}")
        return "link in /sandbox/outbox"

    def click() -> str:
        run.wait_like_a_person()
        link = run.sandbox.latest(email)["link"]
        location = run.redirect(run.page.call("GET", link), "/pages/complete.html")
        if "error" in location:
            raise StepFailed(f"the sample reports an error: {location}")
        return f"302 {location}"

    def me(amr: list[str]) -> Callable[[], str]:
        def check() -> str:
            body = run.expect(run.page.call("GET", "/user"), 200)
            claims = body["id_token"]
            if claims.get("sub") != user[0] or claims.get("amr") != amr:
                raise StepFailed(f"unexpected ID token claims {claims}")
            if session and body["session_id"] != session[0]:
                raise StepFailed(f"session changed: {body['session_id']} != {session[0]}")
            session[:] = [body["session_id"]]
            return f"session {body['session_id']}, amr {claims['amr']}"

        return check

    def action(path: str, message: str) -> Callable[[], str]:
        def post() -> str:
            body = run.expect(run.page.call("POST", path), 200)
            if body.get("message") != message:
                raise StepFailed(f"unexpected answer {body}")
            return message

        return post

    def logout() -> str:
        answer = run.page.call("POST", "/logout")
        if answer.status != 204:
            raise StepFailed(f"expected 204, got {answer!r}")
        run.expect(run.page.call("GET", "/user"), 401)
        return "204, then GET /user 401 (no user)"

    silent_ok = "Session authentication flow completed successfully"
    refresh_ok = "Refresh token flow completed successfully"
    run.step("send magic link (POST /send-magic-link)", send)
    run.step("click the link: the backend authenticates it (GET /complete?code=…)", click)
    run.step("GET /user after the magic link", me(["eml"]))
    run.step(
        "console: sessions sync adds the session",
        lambda: run.sync(email, new=1) + "; " + run.console_shows(email, "active", session[0]),
    )
    run.step("silent authentication (POST /session-auth)", action("/session-auth", silent_ok))
    run.step("offline access: refresh (POST /refresh-token)", action("/refresh-token", refresh_ok))
    run.step("refresh again with the rotated refresh token", action("/refresh-token", refresh_ok))
    run.step("silent authentication after refreshing", action("/session-auth", silent_ok))
    run.step("GET /user: same session", me(["eml"]))
    run.step(
        "console: sessions check sees it alive",
        lambda: run.transmit_admin("sessions", "check", session[0]).strip(),
    )
    run.step("logout (POST /logout)", logout)
    run.step("Transmit forgot the session", lambda: run.dead_session(session[0]))
    run.step(
        "console: sessions check marks it ended",
        lambda: (
            run.transmit_admin("sessions", "check", session[0]).strip()
            + "; "
            + run.console_shows(email, "ended", session[0])
        ),
    )


SAMPLES: dict[str, Callable[[Run], None]] = {
    "login-with-be-email": sample_email,
    "login-with-be-magiclink": sample_magiclink,
    "login-with-be-sms": sample_sms,
    "login-with-be-mfa": sample_mfa,
    "password-be-authentication": sample_password,
    "silent-and-offline-be-auth": sample_silent,
}


def read_env(path: str) -> dict[str, str]:
    env: dict[str, str] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, _, value = line.partition("=")
                env[name.strip()] = value.strip().strip('"')
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", choices=sorted(SAMPLES))
    parser.add_argument("--sample-url", default="http://localhost:8080")
    parser.add_argument("--env-file", required=True)
    parser.add_argument("--cli", default="transmit-admin")
    parser.add_argument(
        "--pause",
        type=float,
        default=5.5,
        help="seconds a person takes to read a code (default 5.5)",
    )
    args = parser.parse_args()
    run = Run(args.sample, args, read_env(args.env_file))
    SAMPLES[args.sample](run)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
