"""The providers' HTTP client takes proxies from the environment the way requests does."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels_app import http_client


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself, like WhatsApp accepting a message."""

    seen: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Proxy.seen.append(self.path)  # through a proxy, the whole target URL
        body = json.dumps({"messages": [{"id": "wamid.via-proxy"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Proxy.seen = []
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_address[1]}")
    http_client._proxy.cache_clear()
    yield _Proxy
    server.shutdown()
    http_client._proxy.cache_clear()


def test_calls_go_through_the_proxy_the_environment_names(proxy):
    answer = http_client.request(
        "POST", "http://graph.example.invalid/v21.0/123/messages", headers={}, timeout=5, json={"to": "39333"}
    )
    assert answer.json() == {"messages": [{"id": "wamid.via-proxy"}]}
    assert proxy.seen == ["http://graph.example.invalid/v21.0/123/messages"]


def test_no_proxy_hosts_are_called_directly(proxy, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "graph.example.invalid")
    with pytest.raises(http_client.Unreachable):  # called directly: that host does not exist
        http_client.request("POST", "http://graph.example.invalid/v21.0/123/messages", headers={}, timeout=5, json={})
    assert proxy.seen == []
