"""A local stand-in for Meta's Graph API (WhatsApp Cloud API) and for Twilio's recording store.

A real HTTP server on 127.0.0.1 in a thread, speaking the documented formats:
- GET  /v21.0/{media-id}              -> {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
- GET  /download/{media-id}           -> the bytes (bearer token required, as on lookaside.fbsbx.com)
- POST /v21.0/{phone-number-id}/messages -> {"messaging_product", "contacts": [...], "messages": [{"id": "wamid..."}]}
- POST /v21.0/{phone-number-id}/media    -> {"id": "..."} (multipart upload)
- GET  /files/… and /2010-04-01/…     -> files registered by a test (Twilio recordings)
Every request is recorded so tests can assert what was sent.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

GRAPH_TOKEN = "test-access-token"
PHONE_NUMBER_ID = "1122334455667"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
TWILIO_TOKEN = "test-twilio-auth-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class FakeState:
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # Queue of (status, body) answers forced on the next POSTs to /messages (errors, outages).
    message_failures: list[tuple[int, dict]] = field(default_factory=list)
    media_failure: int | None = None  # force this status on media lookups (e.g. 500)
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGraph:
    def __init__(self) -> None:
        self.state = FakeState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data) -> None:
                self._send(status, json.dumps(data).encode())

            def _record(self) -> Recorded:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
                with state.lock:
                    state.requests.append(recorded)
                return recorded

            def _authorized(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {GRAPH_TOKEN}":
                    self._json(
                        401,
                        {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
                    )
                    return False
                return True

            def do_GET(self):
                self._record()
                path = self.path.split("?")[0]
                key = path.lstrip("/")
                if key in state.files or path.startswith(("/files/", "/2010-04-01/")):
                    if key not in state.files:
                        return self._send(404, b"not found", "text/plain")
                    payload, mime = state.files[key]
                    if isinstance(payload, int):  # a forced error status
                        return self._send(payload, b"error", "text/plain")
                    return self._send(200, payload, mime)
                if not self._authorized():
                    return None
                if path.startswith("/download/"):
                    media_id = path[len("/download/") :]
                    payload, mime = state.media[media_id]
                    return self._send(200, payload, mime)
                media_id = path.rsplit("/", 1)[-1]
                if state.media_failure:
                    return self._json(state.media_failure, {"error": {"message": "Service unavailable", "code": 2}})
                if media_id not in state.media:
                    # What Graph answers for an id it does not know (or no longer keeps).
                    return self._json(
                        400,
                        {
                            "error": {
                                "message": f"Unsupported get request. Object with ID '{media_id}' does not exist",
                                "type": "GraphMethodException",
                                "code": 100,
                                "error_subcode": 33,
                            }
                        },
                    )
                payload, mime = state.media[media_id]
                host = self.headers.get("Host")
                return self._json(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "url": f"http://{host}/download/{media_id}",
                        "mime_type": mime,
                        "sha256": hashlib.sha256(payload).hexdigest(),
                        "file_size": len(payload),
                        "id": media_id,
                    },
                )

            def do_POST(self):
                recorded = self._record()
                if not self._authorized():
                    return None
                path = self.path.split("?")[0]
                with state.lock:
                    state.counter += 1
                    number = state.counter
                if path.endswith("/media"):
                    return self._json(200, {"id": f"uploaded-{number}"})
                if path.endswith("/messages"):
                    if state.message_failures:
                        status, body = state.message_failures.pop(0)
                        return self._json(status, body)
                    to = recorded.json().get("to", "")
                    return self._json(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": to, "wa_id": to}],
                            "messages": [{"id": f"wamid.fake{number:04d}"}],
                        },
                    )
                return self._json(404, {"error": {"message": "Unknown path", "code": 803}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.graph_url = f"{self.base}/v21.0"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> FakeGraph:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # helpers for tests
    def add_media(self, media_id: str, payload: bytes, mime: str) -> None:
        self.state.media[media_id] = (payload, mime)

    def add_file(self, path: str, payload: bytes | int, mime: str = "application/octet-stream") -> str:
        """Serve `payload` at `path` (an int payload answers that HTTP status instead)."""
        self.state.files[path.lstrip("/")] = (payload, mime)
        return f"{self.base}/{path.lstrip('/')}"

    def sent_messages(self) -> list[dict]:
        return [r.json() for r in self.state.requests if r.method == "POST" and r.path.endswith("/messages")]

    def uploads(self) -> list[Recorded]:
        return [r for r in self.state.requests if r.method == "POST" and r.path.endswith("/media")]


@pytest.fixture
def graph(settings):
    """The fake Graph API, with the WhatsApp settings pointing at it."""
    fake = FakeGraph().start()
    settings.WHATSAPP_GRAPH_URL = fake.graph_url
    settings.WHATSAPP_ACCESS_TOKEN = GRAPH_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.WHATSAPP_HTTP_TIMEOUT = 5
    yield fake
    fake.stop()


@pytest.fixture
def twilio_media(graph, settings):
    """The same fake server standing in for api.twilio.com (recordings), with a test auth token."""
    settings.TWILIO_API_URL = graph.base
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    return graph


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process, whatever broker the environment names (tests only)."""
    from contactcenter.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def english(settings):
    """Texts the channels write (notes, descriptions) in English, whatever the catalogues hold."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
