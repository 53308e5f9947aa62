"""A task that stays in flight long enough for a fault to hit it; the fault tests' workers import it (-I)."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True, name="tests.faults.hold")
def hold(seconds: float, marker: str) -> None:
    """Say it started (a file), hold the worker process for `seconds`, then say it finished."""
    Path(marker).write_text("started")
    time.sleep(seconds)
    Path(marker).write_text("finished")
