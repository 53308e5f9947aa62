"""Ingest raw e-mail files as if they had arrived in the mailbox: one line of outcome per file.

    python manage.py ingest_email message.eml maildir/cur/ --channel voicemail

Each file is stored first (raw bytes, keyed by Message-ID) and then processed here, in this
process, so the outcome can be printed: the new ticket's reference, ``threaded onto <ref>``,
``ignored: <reason>`` or ``quarantined: <reason>``. A file that fails (unreadable, a database
error while storing or processing it) gets its line with the error, and the next file is tried
all the same. The exit status is 0 when every file was stored and processed, whatever its outcome;
1 when any failed, after the whole list: ``not stored: <error>`` (run again once fixed),
``stored, not processed: <error>`` (kept as received: a run again, or the workers, process it) or,
with --enqueue, ``stored, the workers not told: <error>`` (the broker is away; the workers take
what waits when they reconnect).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.pipeline import IngestOutcome, hand_to_worker, ingest_inbound


def expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.parts))
            )
        else:
            files.append(path)
    return files


def describe(inbound: InboundMessage, outcome: IngestOutcome | None) -> str:
    if outcome is not None:
        if outcome.quarantined:
            return f"quarantined: {_one_line(outcome.quarantined)}"
        if outcome.ignored:
            return f"ignored: {_one_line(outcome.ignored)}"
        if outcome.created:
            return outcome.created[0].reference
        if outcome.threaded:
            return f"threaded onto {outcome.threaded[0].reference}"
        return "processed: already ingested, nothing new"
    inbound.refresh_from_db(fields=["state", "error", "ticket"])
    state = inbound.state
    if state == InboundMessage.State.QUARANTINED:
        return f"quarantined: {_one_line(inbound.error)} (received before)"
    if state == InboundMessage.State.IGNORED:
        return f"ignored: {_one_line(inbound.error)} (received before)"
    if state == InboundMessage.State.PROCESSED:
        reference = inbound.ticket.reference if inbound.ticket_id else "—"
        return f"already received: {reference}"
    return "stored, queued for processing"


def _one_line(text: str) -> str:
    return " ".join((text or "").split())[:300]


class Command(BaseCommand):
    help = "Ingest raw RFC 822 e-mail files (or directories of them) as if they came from the mailbox."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="files or directories")
        parser.add_argument("--channel", choices=["email", "voicemail"], default="email")
        parser.add_argument("--enqueue", action="store_true", help="only store; let the Celery workers process them")
        parser.add_argument(
            "--no-acknowledgement", action="store_true", help="do not send acknowledgements (importing a backlog)"
        )

    def handle(self, *args, **options) -> None:
        files = expand(options["paths"])
        if not files:
            raise CommandError("no files to ingest")
        failed: list[str] = []
        with override_settings(SPORTELLO_SEND_ACKNOWLEDGEMENTS=not options["no_acknowledgement"]):
            for path in files:
                line, ok = self._ingest_file(path, options)
                self.stdout.write(f"{path}: {line}")
                if not ok:
                    failed.append(f"{path}: {line}")
        self.stderr.write(f"{len(files) - len(failed)} of {len(files)} file(s) ingested.")
        if failed:
            for failure in failed:
                self.stderr.write(f"failed: {failure}")
            raise CommandError(f"{len(failed)} of {len(files)} file(s) failed (listed above)")

    def _ingest_file(self, path: Path, options: dict) -> tuple[str, bool]:
        """(the file's line, whether it went through); any error is caught here, so the next file is tried."""
        stage = "not stored"
        try:
            raw = path.read_bytes()
            # Stored without telling the workers: told below, so that a broker error is not taken for
            # a failed store (the input is committed by then).
            inbound, created = store_email(
                raw,
                channel=options["channel"],
                source=f"file:{path.name}"[:200],
                metadata={"file": str(path)[:500]},
                enqueue=False,
            )
            waiting = inbound.state == InboundMessage.State.RECEIVED
            if options["enqueue"]:
                stage = "stored, the workers not told"
                if waiting:
                    hand_to_worker(inbound.pk)
                return ("stored, queued for processing" if created else describe(inbound, None)), True
            stage = "stored, not processed"
            return describe(inbound, ingest_inbound(inbound.pk) if waiting else None), True
        except Exception as exc:  # reported on the file's line; the rest of the list is unaffected
            _drop_broken_connection()
            return f"{stage}: {type(exc).__name__}: {_one_line(str(exc))}", False


def _drop_broken_connection() -> None:
    """After a database error, reconnect for the next file if this connection is unusable (a restart)."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
