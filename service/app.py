"""Application factory: builds the FastAPI app around a container. No globals, nothing at import time."""

from __future__ import annotations

import importlib
import logging
import sqlite3
import time
import uuid
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import __version__
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.logs import request_id_var
from service.review.db import is_corruption

log = logging.getLogger("replydraft.api")

# Router modules, each exposing `router`: one module per concern.
ROUTERS = [
    "service.api.health",
    "service.api.index",
    "service.api.drafts",
    "service.api.compliance",
    "service.api.reviews",
    "service.api.keys",
    "service.api.admin",
    "service.api.stats",
    "service.api.verified",
    "service.api.metrics",
    "service.console.routes",
    "service.console.learning",
]


class _ObserveMiddleware:
    """Request id, access log and request metrics for every HTTP request.

    Pure ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs the app in an
    extra task with memory streams, which costs about a millisecond per request on these cores.
    """

    def __init__(self, app: ASGIApp, metrics: Any) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")[:100]
                break
        rid = rid or uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(method, path, str(status)).inc()
            self.metrics.latency.labels(method, path).observe(elapsed)
            log.info(
                "request",
                extra={"method": method, "route": path, "status": status, "ms": round(elapsed * 1000, 1)},
            )
            request_id_var.reset(token)


def _too_large(limit: int) -> ReplydraftError:
    return ReplydraftError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"request body is larger than {limit:,} bytes (REPLYDRAFT_MAX_BODY_BYTES)",
        max_body_bytes=limit,
    )


class _BodyLimitMiddleware:
    """Refuse a request body over ``max_bytes`` with 413 before it is read whole.

    A declared Content-Length over the limit is refused without reading anything; a chunked (or
    understated) body is counted as it streams in, and the read that crosses the limit fails, so at most
    one chunk past the limit is ever held. Pure ASGI, like the other middleware.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value.decode("latin-1").strip()
                if not declared.isdigit() or int(declared) > self.max_bytes:
                    err = _too_large(self.max_bytes)
                    if not declared.isdigit():
                        err = ReplydraftError(ErrorCode.VALIDATION, "invalid Content-Length header")
                    response = JSONResponse(
                        {"error": err.to_dict()}, status_code=err.http_status, headers={"Connection": "close"}
                    )
                    await response(scope, receive, send)
                    return
                break
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException passes through FastAPI's body parsing to the handler below.
                    raise StarletteHTTPException(413, _too_large(self.max_bytes).message)
            return message

        await self.app(scope, counted, send)


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="replydraft",
        version=__version__,
        description="Drafts grounded customer-service replies, checks them for compliance, and holds every "
        "draft for human review. Authenticate with `Authorization: Bearer <api key>`.",
    )
    app.state.container = container
    metrics = container.metrics

    app.add_middleware(_BodyLimitMiddleware, max_bytes=container.settings.max_body_bytes)
    app.add_middleware(_ObserveMiddleware, metrics=metrics)  # outermost: it also logs the 413s

    @app.exception_handler(ReplydraftError)
    async def _domain_error(_: Request, exc: ReplydraftError) -> JSONResponse:
        headers = None
        if exc.http_status == 503:
            headers = {"Retry-After": "5"}
        elif exc.http_status == 429:
            headers = {"Retry-After": str(exc.details.get("retry_after_s", 1))}
        return JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status, headers=headers)

    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    async def _database_down(_: Request, exc: sqlalchemy.exc.DBAPIError) -> JSONResponse:
        # Database sessions already turn an outage into UPSTREAM_UNAVAILABLE; this catches the rest (a
        # connection dropped mid-statement by a restart): transient, so 503 with Retry-After, and the
        # client retries with its Idempotency-Key. The transaction was rolled back whole.
        log.warning("database unavailable", extra={"error": type(exc.orig).__name__ if exc.orig else "?"})
        err = ReplydraftError(ErrorCode.UPSTREAM_UNAVAILABLE, "database unavailable; retry shortly")
        return JSONResponse({"error": err.to_dict()}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(sqlalchemy.exc.DatabaseError)
    @app.exception_handler(sqlite3.DatabaseError)
    async def _database_error(_: Request, exc: Exception) -> JSONResponse:
        # A damaged SQLite file (SQLITE_CORRUPT, SQLITE_NOTADB) is not transient: remember it, so writes
        # are refused and readiness fails with the reason, and answer 503 in the usual error shape.
        if is_corruption(exc):
            db = container.db
            db.fault = db.fault or str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
            log.error("database is corrupt", extra={"error": db.fault})
            err = ReplydraftError(
                ErrorCode.DATABASE_CORRUPT,
                f"the database failed its integrity check ({db.fault}): see docs/runbook.md",
                fault=db.fault,
            )
            return JSONResponse({"error": err.to_dict()}, status_code=503, headers={"Retry-After": "60"})
        log.error("database error", exc_info=exc)
        return _internal()

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Anything unforeseen still answers in the JSON error shape (never a plain-text 500).
        log.error("unhandled error", exc_info=exc)
        return _internal()

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        invalid_json = [e for e in exc.errors() if e["type"] == "json_invalid"]
        if invalid_json:
            problem = _json_problem(invalid_json[0], exc.body)
            err = ReplydraftError(ErrorCode.VALIDATION, problem["message"], problems=[problem])
            return JSONResponse({"error": err.to_dict()}, status_code=422)
        problems = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        fields = ", ".join(p["field"] or "body" for p in problems)
        err = ReplydraftError(ErrorCode.VALIDATION, f"invalid request: {fields}", problems=problems)
        return JSONResponse({"error": err.to_dict()}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _framework_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # The framework's own errors (unknown path, wrong method, a body that is not even text) in the
        # same {"error": ...} shape; an undecodable body is a 422 like any other invalid body.
        if exc.status_code == 400:
            err = ReplydraftError(ErrorCode.VALIDATION, f"invalid request: {exc.detail}")
            return JSONResponse({"error": err.to_dict()}, status_code=422)
        code = {404: "not_found", 405: "method_not_allowed", 413: ErrorCode.PAYLOAD_TOO_LARGE.value}.get(
            exc.status_code, "http_error"
        )
        body = {"error": {"code": code, "message": str(exc.detail)}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    return app


def _internal() -> JSONResponse:
    err = ReplydraftError(ErrorCode.INTERNAL, "internal error; the server log has the details")
    return JSONResponse({"error": err.to_dict()}, status_code=500)


def _json_problem(error: Any, document: Any) -> dict[str, Any]:
    """A body that is not JSON: what is wrong and where (line and column, both from 1)."""
    loc = error.get("loc", ())
    pos = loc[-1] if loc and isinstance(loc[-1], int) else 0
    text = document if isinstance(document, str) else ""
    pos = min(pos, len(text))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    reason = (error.get("ctx") or {}).get("error") or error.get("msg", "invalid JSON")
    return {
        "field": "body",
        "message": f"invalid JSON at line {line}, column {column}: {reason}",
        "type": "json_invalid",
        "line": line,
        "column": column,
    }
