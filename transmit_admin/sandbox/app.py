"""`create_app(config)`: the sandbox as a Starlette ASGI app (Transmit paths + `/sandbox/*`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from transmit_admin.sandbox import routes_admin, routes_auth, routes_oidc, routes_users
from transmit_admin.sandbox.config import SandboxConfig, base_url_for
from transmit_admin.sandbox.errors import ApiError, OAuthError
from transmit_admin.sandbox.faults import FaultControl, FaultMiddleware
from transmit_admin.sandbox.request_log import RequestLogMiddleware
from transmit_admin.sandbox.state import SandboxState


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError | OAuthError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in Transmit's (NestJS) shape, not as plain text."""
    assert isinstance(exc, HTTPException)
    message = f"Cannot {request.method} {request.url.path}"
    if exc.status_code != 404:
        message = str(exc.detail)
    body = {"message": message, "error_code": exc.status_code}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def create_app(config: SandboxConfig, base_url: str | None = None) -> Starlette:
    """The sandbox app; `base_url` defaults to `http://host:port` of `config`.

    Pass the real base URL when `config.port` is 0 and the port is only known after binding
    (the runner does), since the issuer and the links in the outbox are built from it.
    """
    state = SandboxState(config, base_url or base_url_for(config.host, config.port))
    faults = FaultControl(config.initial_faults(), seed=config.seed)
    app = Starlette(
        routes=[
            *routes_oidc.ROUTES,
            *routes_auth.ROUTES,
            *routes_users.ROUTES,
            *routes_admin.ROUTES,
        ],
        middleware=[
            Middleware(RequestLogMiddleware, state=state),
            Middleware(FaultMiddleware, control=faults),
        ],
        exception_handlers={
            ApiError: _api_error,
            OAuthError: _api_error,
            HTTPException: _http_error,
        },
    )
    app.state.sandbox = state
    app.state.faults = faults
    return app
