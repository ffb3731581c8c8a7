"""`/cis/v1/auth/users/{userId}/sessions`, and `/cis/v1/users`: create, look up, search.

An unknown user id answers 404 `{"message": "User not found", "error_code": 404}` on the session
list and revoke-all too [assumed: undocumented there; the users endpoints document 404].
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from transmit_admin.sandbox import flows, signup, validation
from transmit_admin.sandbox.errors import ApiError, user_not_found
from transmit_admin.sandbox.guard import require_client
from transmit_admin.sandbox.models import User, iso_time
from transmit_admin.sandbox.user_search import SearchSyntaxError, parse_search
from transmit_admin.sandbox.validation import json_body

Handler = Callable[[Request], Awaitable[Response]]

DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 10000
_SORT_FIELDS = ("email", "created_at", "phone_number", "last_auth")


async def list_user_sessions(request: Request) -> Response:
    state = require_client(request)
    user = state.user(request.path_params["user_id"])
    sessions = state.sessions_of(user.user_id, live_only=True)
    return JSONResponse(
        [
            {
                "session_id": s.session_id,
                "start_time": iso_time(s.created),
                "expiration_time": iso_time(s.expires),
            }
            for s in sessions
        ]
    )


async def revoke_user_sessions(request: Request) -> Response:
    state = require_client(request)
    flows.revoke_user_sessions(state, request.path_params["user_id"])
    return Response(status_code=204)


async def create_user(request: Request) -> Response:
    state = require_client(request)
    body = await json_body(request, validation.CREATE_USER)
    return JSONResponse(signup.create_user(state, body), status_code=201)


def _lookup(identifier_type: str, parameter: str) -> Handler:
    """`GET /v1/users/<kind>/{value}`: `{"result": ApiUser}` or 404 "User not found"."""

    async def handle(request: Request) -> Response:
        state = require_client(request)
        user = state.find_user(identifier_type, request.path_params[parameter])
        if user is None:
            raise user_not_found()
        return JSONResponse({"result": user.to_api()})

    return handle


async def user_by_id(request: Request) -> Response:
    state = require_client(request)
    return JSONResponse({"result": state.user(request.path_params["user_id"]).to_api()})


def _number(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, [f"{name} must be a number"], 400) from None
    if not 0 <= value <= maximum:
        raise ApiError(400, [f"{name} must be between 0 and {maximum}"], 400)
    return value


async def search_users(request: Request) -> Response:
    state = require_client(request)
    query = request.query_params
    offset = _number(request, "page_offset", 0, 10**9)
    limit = _number(request, "page_limit", DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT)
    sort_field = query.get("sort_field", "created_at")
    sort_order = query.get("sort_order", "asc")
    problems = []
    if sort_field not in _SORT_FIELDS:
        problems.append(
            f"sort_field must be one of the following values: {', '.join(_SORT_FIELDS)}"
        )
    if sort_order not in ("asc", "desc"):
        problems.append("sort_order must be one of the following values: asc, desc")
    if problems:
        raise ApiError(400, problems, 400)
    with state.lock:
        users = list(state.users.values())
    if query.get("search"):
        try:
            predicate = parse_search(query["search"])
        except SearchSyntaxError as exc:
            raise ApiError(400, [str(exc)], 400) from None
        users = [u for u in users if predicate(u)]
    prefix = query.get("search_prefix")
    if prefix:
        low = prefix.lower()
        users = [
            u
            for u in users
            if (u.email or "").lower().startswith(low) or (u.phone_number or "").startswith(prefix)
        ]
    users.sort(key=lambda u: _sort_key(u, sort_field), reverse=sort_order == "desc")
    page = users[offset : offset + limit]
    return JSONResponse(
        {
            "total_count": len(users),
            "page_info": {
                "has_next_page": offset + limit < len(users),
                "has_previous_page": offset > 0,
            },
            "result": [u.to_api() for u in page],
        }
    )


def _sort_key(user: User, sort_field: str) -> tuple[bool, str | float]:
    """Users without the field (a created user may have no email or phone) sort first."""
    value: str | float | None = getattr(user, sort_field)
    return (value is not None, value if value is not None else "")


ROUTES = [
    Route("/cis/v1/auth/users/{user_id}/sessions", list_user_sessions, methods=["GET"]),
    Route("/cis/v1/auth/users/{user_id}/sessions", revoke_user_sessions, methods=["DELETE"]),
    Route("/cis/v1/users", create_user, methods=["POST"]),
    Route("/cis/v1/users/email/{email}", _lookup("email", "email"), methods=["GET"]),
    Route("/cis/v1/users/username/{username}", _lookup("username", "username"), methods=["GET"]),
    # `/phone/` is the deprecated spelling of `/phone-number/`; the samples' era uses both.
    Route(
        "/cis/v1/users/phone/{phone_number}",
        _lookup("phone_number", "phone_number"),
        methods=["GET"],
    ),
    Route(
        "/cis/v1/users/phone-number/{phone_number}",
        _lookup("phone_number", "phone_number"),
        methods=["GET"],
    ),
    Route(
        "/cis/v1/users/external-user-id/{external_user_id}",
        _lookup("external_user_id", "external_user_id"),
        methods=["GET"],
    ),
    Route("/cis/v1/users/{user_id}", user_by_id, methods=["GET"]),
    Route("/cis/v1/users", search_users, methods=["GET"]),
]
