import os
import uuid

import pytest

from .dovecot import DOVECOT, Dovecot


@pytest.fixture(scope="module")
def dovecot():
    """A real Dovecot IMAP server on 127.0.0.1 for this module's tests (tests/channels/dovecot.py)."""
    if not os.path.exists(DOVECOT):
        pytest.skip("Dovecot is not installed: run scripts/ensure_system_packages.sh")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def imap_user():
    """A fresh mailbox on the test Dovecot: each test reads only its own mail."""
    return f"desk-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process, as the embedded default does, whatever broker the environment names."""
    from contactcenter.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
