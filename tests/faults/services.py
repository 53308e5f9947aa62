"""A private Redis that a test may stop, and real prefork workers on it, on the test database.

The shared Redis (6379) is never touched: each test starts its own redis-server on a free port,
so stopping or freezing it hurts nobody else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import redis

from ..smtp import free_port
from ..workers import ROOT, test_database_url, wait_for


class PrivateRedis:
    """redis-server on 127.0.0.1:<free port>, in the foreground of a subprocess this object owns."""

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        self.port = free_port()
        self.directory = directory
        self.persistent = persistent  # append-only file, as docker-compose.yml runs it
        self.process: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes" if self.persistent else "no",
                "--dir", str(self.directory),
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(self.answers, timeout=10):
            raise RuntimeError(f"redis-server did not answer on port {self.port}")
        return self

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def freeze(self) -> None:
        """The server stops answering, its sockets stay open: a hung host rather than a stopped one."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def _environment(broker: PrivateRedis) -> dict[str, str]:
    """The production settings' variables, pointing at the test database and the private Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker.url(0),
        "REDIS_URL": broker.url(1),
        "EMAIL_URL": "dummymail://",
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


class CeleryProcess:
    """A `celery` command of ours: its output in a file, its process group ended with it."""

    def __init__(self, arguments: list[str], broker: PrivateRedis, log: Path) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "contactcenter", *arguments],
                cwd=ROOT,
                env=_environment(broker),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool processes can be ended with it, by group
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> str:
        if self.alive():
            self.process.terminate()  # warm shutdown: finish what is running
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a pool process left behind by a dead parent
        return self.output()


class Worker(CeleryProcess):
    """`celery worker` with the prefork pool, as production runs it, against `broker` and the test database."""

    def __init__(self, broker: PrivateRedis, log: Path, *, concurrency: int = 2) -> None:
        self.concurrency = concurrency
        super().__init__(
            [
                "worker", "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--include=tests.faults.slow_tasks", f"--hostname=faults-{broker.port}@%h",
            ],
            broker,
            log,
        )  # fmt: skip

    def pool_processes(self) -> list[int]:
        """Pids of the worker's live child processes (its prefork pool)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


class Beat(CeleryProcess):
    """`celery beat` with the project's schedule, against `broker`."""

    def __init__(self, broker: PrivateRedis, directory: Path, log: Path) -> None:
        schedule = directory / "beat-schedule"
        super().__init__(["beat", "--loglevel=INFO", f"--schedule={schedule}", "--max-interval=1"], broker, log)


def send_task(broker: PrivateRedis, name: str, *args) -> None:
    """Publish one task on the private broker, with Celery's publish retries, as the web process would."""
    from contactcenter.celery import app

    with app.connection_for_write(broker.url(0)) as connection:
        app.send_task(name, args, connection=connection)
