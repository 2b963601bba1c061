"""The README's nginx configuration, unchanged but for ports and certificate, in front of the app.

Metrics are blocked through the proxy (and only there), every answer carries the security
headers, and the app works in Chromium over https and its WebSocket without one
Content-Security-Policy violation and without one request to another host.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from harness.app_server import AppServer, go_to_step, wait_idle
from harness.nginx import NginxServer, find_nginx

# Paths that reach /_stcore/metrics at Streamlit unless the proxy stops them: nginx matches
# locations on the normalised path, but would forward the path as the client wrote it.
METRICS_PATHS = [
    "/_stcore/metrics",
    "/_stcore/metrics?families=active_sessions",
    "/_stcore/metrics/",
    "//_stcore/metrics",
    "/_stcore/%6detrics",
    "/_stcore/./metrics",
    "/static/../_stcore/metrics",
]
METRICS_MARK = b"active_sessions"

HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

# Reports each violation to the test, from every page and frame, across navigations.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__bcCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`
  );
}, true);
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, NginxServer]]:
    binary = find_nginx()
    if binary is None:
        pytest.fail("nginx mangler: kør `make test`, som installerer Debians nginx-light.")
    root = tmp_path_factory.mktemp("proxy")
    (root / "app").mkdir()
    app = AppServer(root / "app")
    app.start()
    proxy = NginxServer(binary, root / "nginx", app.port)
    try:
        proxy.start()
        yield app, proxy
    finally:
        proxy.stop()
        app.stop()


def _get(
    proxy: NginxServer, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET exactly `path` (not normalised) through the proxy, checking its certificate."""
    context = ssl.create_default_context(cafile=str(proxy.cert))
    conn = http.client.HTTPSConnection("127.0.0.1", proxy.tls_port, context=context, timeout=20)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _csp(headers: http.client.HTTPMessage) -> dict[str, list[str]]:
    value = headers.get("Content-Security-Policy", "")
    directives = [d.split() for d in value.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def test_metrics_are_blocked_through_the_proxy_only(stack: tuple[AppServer, NginxServer]) -> None:
    app, proxy = stack
    with urllib.request.urlopen(app.url + "_stcore/metrics", timeout=10) as direct:
        assert direct.status == 200 and METRICS_MARK in direct.read()
    for path in METRICS_PATHS:
        status, _, body = _get(proxy, path)
        assert status in (403, 404), (path, status)
        assert METRICS_MARK not in body, path
    status, _, body = _get(proxy, "/_stcore/health")
    assert (status, body) == (200, b"ok")


def test_security_headers_on_every_answer(stack: tuple[AppServer, NginxServer]) -> None:
    _, proxy = stack
    status, _, index = _get(proxy, "/")
    assert status == 200
    script = re.search(rb'src="\./(static/js/index\.[\w-]+\.js)"', index)
    assert script, index[:500]
    for path in ("/", f"/{script.group(1).decode()}", "/_stcore/health", "/_stcore/metrics"):
        _, headers, _ = _get(proxy, path)
        for name, value in HEADERS.items():
            assert headers.get(name) == value, (path, name, headers.get(name))
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), path
        assert headers.get("Server") == "nginx", path  # no version number
        csp = _csp(headers)
        assert csp["frame-ancestors"] == ["'none'"], path
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
        assert "'unsafe-inline'" not in csp["script-src"]
        assert "'unsafe-eval'" not in csp["script-src"]
        # No data: images: user text that got through as HTML or Markdown could draw none.
        assert csp["img-src"] == ["'self'"], path
        # Keywords, hashes and the schemes data: and blob: only: no other host, and no "*".
        for name, sources in csp.items():
            for source in sources:
                assert source.startswith("'") or source in ("data:", "blob:"), (name, source)


def test_routing_cookie_is_set_once_and_only_for_routing(
    stack: tuple[AppServer, NginxServer],
) -> None:
    """nginx gives a browser without it a random routing cookie (sticky sessions), with the
    attributes of a strictly technical cookie, and none once the browser sends it back."""
    _, proxy = stack
    seen: set[str] = set()
    for path in ("/", "/_stcore/health", "/_stcore/metrics"):
        _, headers, _ = _get(proxy, path)
        (cookie,) = _route_cookies(headers)
        value, *attributes = [part.strip() for part in cookie.split(";")]
        name, _, route = value.partition("=")
        assert name == "bcroute" and re.fullmatch(r"[0-9a-f]{32}", route), cookie
        assert attributes == ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"], cookie
        seen.add(route)
        # The headers of a location without add_header of its own are all still there.
        assert headers.get("X-Frame-Options") == "DENY", path
    assert len(seen) == 3, "each new browser gets a route of its own"
    for path in ("/", "/_stcore/health"):
        status, headers, _ = _get(proxy, path, {"Cookie": f"bcroute={route}"})
        assert status == 200 and _route_cookies(headers) == [], path
        assert headers.get("Referrer-Policy") == "no-referrer", path


def _route_cookies(headers: http.client.HTTPMessage) -> list[str]:
    """nginx's routing cookies among the answer's cookies (Streamlit sets its own)."""
    return [c for c in headers.get_all("Set-Cookie") or [] if c.startswith("bcroute=")]


def test_plain_http_is_sent_to_https(stack: tuple[AppServer, NginxServer]) -> None:
    _, proxy = stack
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    try:
        conn.request("GET", "/?t=abc")
        response = conn.getresponse()
        assert response.status == 301
        assert response.headers["Location"].startswith("https://127.0.0.1")
        assert response.headers["Location"].endswith("/?t=abc")
    finally:
        conn.close()


@pytest.mark.browser
def test_app_works_through_the_proxy_without_csp_violations(
    browser: Browser, stack: tuple[AppServer, NginxServer], artifacts: Path
) -> None:
    _, proxy = stack
    origin = proxy.url.rstrip("/")
    own = (origin + "/", f"blob:{origin}/", "data:")
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="da-DK", ignore_https_errors=True
    )
    violations: list[str] = []
    console: list[str] = []
    requests: list[str] = []
    sockets: list[str] = []
    context.expose_function("__bcCspViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)

    def guard(route: Route) -> None:
        if route.request.url.startswith(own):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: console.append(m.text))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        page.goto(proxy.url)
        expect(page.get_by_role("heading", name="Borgercases – teammødet")).to_be_visible()
        # The page helper (a Streamlit component loaded from a blob: URL) has run.
        expect(page.locator("html")).to_have_attribute("lang", "da")
        page.get_by_label("Teamets navn").fill("Team Proxy")
        page.get_by_role("button", name="Opret team").click()
        expect(page.get_by_role("heading", name="Team Proxy", level=2)).to_be_visible()
        expect(page.get_by_text("Teamets kode er")).to_be_visible()

        # A meeting's second step: the case with its QR code, an image the app serves itself.
        page.get_by_role("button", name="Start mødet").click()
        expect(page.get_by_role("heading", name=re.compile("Trin 1"))).to_be_visible()
        go_to_step(page, 2)
        qr = page.get_by_role("img", name=re.compile("QR-kode"))
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        wait_idle(page)
        page.screenshot(path=artifacts / "app-through-proxy.png")
        # The tab's icon comes from Streamlit's static folder (no data: image).
        icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
        assert icon.endswith("/app/static/favicon.png"), icon
        assert page.evaluate("(u) => fetch(u).then((r) => r.status)", icon) == 200
        # The phone page, through the proxy, with the join link's code.
        join = re.search(r"[?&]j=([\w-]+)", page.locator("p.bc-join a").get_attribute("href") or "")
        assert join, "no join link on the meeting page"
        phone = context.new_page()
        phone.on("console", lambda m: console.append(m.text))
        phone.goto(f"{proxy.url}?j={join.group(1)}")
        expect(phone.get_by_text("Deltager i teammødet")).to_be_visible()
        wait_idle(phone)
        page.wait_for_timeout(500)  # late reports arrive asynchronously
    finally:
        context.close()

    assert violations == []
    assert [m for m in console if _is_csp_message(m)] == []
    assert sockets and all(url == f"wss://{origin[8:]}/_stcore/stream" for url in sockets), sockets
    assert [url for url in requests if not url.startswith(own)] == []
    # nginx logs the WebSocket when it closes, with the context above.
    deadline = time.monotonic() + 10
    while '"GET /_stcore/stream HTTP/1.1" 101 ' not in proxy.access_log.read_text():
        assert time.monotonic() < deadline, "ingen WebSocket gennem nginx"
        time.sleep(0.2)


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text
