"""What `make run PHONES=1` puts in front of the app on the local network (lan_app.py, an
``st.App`` with this middleware): the headers the README's nginx block sets, and no
``/_stcore/metrics``. Plain ASGI middleware, no private Streamlit API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

# The README's nginx block, header for header (tests/test_lan.py compares them), without
# Strict-Transport-Security (the LAN is plain http, where browsers ignore it) and the route cookie.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' "
        "'sha256-THxz9J9+wf7rhwR2YkXJoSZ13UCmYyC+3lNDv2+8ugA=' 'wasm-unsafe-eval' blob:; "
        "style-src 'self' 'unsafe-inline'; img-src 'self'; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
BLOCKED_PREFIX = "/_stcore/metrics"


class LanGuard:
    """Adds HEADERS to every HTTP answer and answers 404 under /_stcore/metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
        if str(scope.get("path", "")).startswith(BLOCKED_PREFIX):
            await send({"type": "http.response.start", "status": 404, "headers": extra})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_headers(message: Message) -> None:
            if message.get("type") == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
