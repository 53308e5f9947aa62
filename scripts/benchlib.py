"""What the HTTP benchmarks share: a gunicorn on loopback and a load generator that stays out of its way.

The load comes from `wrk` (Debian's package, written in C): on this 2-core machine a Python
client spends about as much CPU per request as the server it measures, so a thread pool of
`requests` sessions measured mostly itself. Every benchmark first checks each scenario's
requests once with `requests` (status and content, so a page that silently broke is not timed),
then times them with wrk: closed loop, `concurrency` connections, one wrk thread, for `seconds`.

    from benchlib import Gunicorn, Request, run_wrk, print_header, print_row
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str, secret_prefix: str) -> dict[str, str]:
    """Production-like settings on plain HTTP loopback: DEBUG off, Redis cache, persistent connections."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": "",
            "DEBUG": "False",
            "SECRET_KEY": f"{secret_prefix}-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
        }
    )
    env.pop("TEST_DATABASE_NAME", None)
    return env


class Gunicorn:
    """gunicorn serving the project on a free loopback port; a context manager that always stops it."""

    def __init__(self, env: dict[str, str], *, workers: int, threads: int = 1, ready_path: str = "/") -> None:
        self.env, self.workers, self.threads, self.ready_path = env, workers, threads, ready_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "contactcenter.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            f"--worker-class={'gthread' if self.threads > 1 else 'sync'}",
            "--backlog=1024",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.base + self.ready_path, timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.3)
        self.__exit__()
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # threads held by kept-alive connections
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def _lua_string(value: str) -> str:
    level = "=" * 4
    while f"]{level}]" in value:
        level += "="
    return f"[{level}[{value}]{level}]"


def _script(requests_: list[Request], headers: dict[str, str], expect: int) -> str:
    lines = [
        "local threads = {}",
        "setup = function(thread) table.insert(threads, thread) end",
        "unexpected = 0",
        f"response = function(status, headers, body) if status ~= {expect} then unexpected = unexpected + 1 end end",
        "local reqs = {}",
        # wrk.format replaces wrk.headers with the table it is given: merge them.
        "local function merged(extra)",
        "  local h = {}",
        "  for k, v in pairs(wrk.headers) do h[k] = v end",
        "  for k, v in pairs(extra) do h[k] = v end",
        "  return h",
        "end",
        "init = function(args)",
    ]
    for name, value in headers.items():
        lines.append(f"  wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    for index, req in enumerate(requests_, start=1):
        # wrk.format() uses the header table it is given instead of wrk.headers, not merged with
        # them: nil keeps the common headers (the cookies); a request's own headers go with them.
        merged = {**headers, **dict(req.headers)}
        extra = "{" + ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in merged.items()) + "}"
        extra = extra if req.headers else "nil"
        body = _lua_string(req.body) if req.body else "nil"
        lines.append(
            f"  reqs[{index}] = wrk.format({_lua_string(req.method)}, {_lua_string(req.path)}, {extra}, {body})"
        )
    lines += [
        "end",
        "local i = 0",
        "request = function()",
        "  i = i + 1",
        "  if i > #reqs then i = 1 end",
        "  return reqs[i]",
        "end",
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        "  local bad = 0",
        '  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end',
        '  io.write(string.format("WRK_RESULT %d %d %d %d %d %d %d %d %d %d\\n", summary.requests,',
        "    summary.duration, e.connect, e.read, e.write, bad, e.timeout,",
        "    latency:percentile(50), latency:percentile(95), latency:percentile(99)))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(
    base: str,
    requests_: list[Request],
    *,
    concurrency: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> Figures:
    """Closed-loop load: `concurrency` connections cycling through `requests_` for `seconds`.

    A response whose status is not `expect` counts as an error (wrk alone takes a 302 to the
    login page for a success).
    """
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed (make system-packages installs it)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_script(requests_, headers or {}, expect))
    try:
        completed = subprocess.run(  # noqa: S603
            [
                wrk,
                "-t1",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout=30s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    match = re.search(r"^WRK_RESULT ((?:\d+ ?){10})$", completed.stdout, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    count, duration, connect, read, write, status, timeout, p50, p95, p99 = (int(v) for v in match.group(1).split())
    return Figures(
        requests=count,
        seconds=duration / 1e6,
        p50_ms=p50 / 1000,
        p95_ms=p95 / 1000,
        p99_ms=p99 / 1000,
        errors=connect + read + write + status + timeout,
    )


def print_header(width: int = 40) -> None:
    print(f"{'scenario':{width}} {'c':>3} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")


def print_row(name: str, concurrency: int, figures: Figures, width: int = 40) -> None:
    print(
        f"{name:{width}} {concurrency:>3} {figures.requests:>8} {figures.per_second:>8.1f} "
        f"{figures.p50_ms:>8.1f} {figures.p95_ms:>8.1f} {figures.errors:>6}",
        flush=True,
    )


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in session.cookies.get_dict().items())


def machine_note() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
