"""Ingest raw e-mail files as if they had arrived in the mailbox: one line of outcome per file.

    python manage.py ingest_email message.eml maildir/cur/ --channel voicemail

Each file is stored first (raw bytes, keyed by Message-ID) and then processed here, in this
process, so the outcome can be printed: the new ticket's reference, ``threaded onto <ref>``,
``ignored: <reason>`` or ``quarantined: <reason>``. The exit status is 0 when every file was
stored, whatever its outcome; 1 when a file could not be read or stored.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from channels_app.adapters.email import store_email
from channels_app.models import InboundMessage
from channels_app.pipeline import IngestOutcome, ingest_inbound


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
        failures = 0
        with override_settings(SPORTELLO_SEND_ACKNOWLEDGEMENTS=not options["no_acknowledgement"]):
            for path in files:
                try:
                    raw = path.read_bytes()
                    inbound, created = store_email(
                        raw,
                        channel=options["channel"],
                        source=f"file:{path.name}"[:200],
                        metadata={"file": str(path)[:500]},
                        enqueue=options["enqueue"],
                    )
                except Exception as exc:  # report and go on: the rest of the batch is unaffected
                    failures += 1
                    self.stdout.write(f"{path}: not stored: {type(exc).__name__}: {exc}")
                    continue
                outcome = None
                if not options["enqueue"] and inbound.state == InboundMessage.State.RECEIVED:
                    outcome = ingest_inbound(inbound.pk)
                line = describe(inbound, outcome)
                if options["enqueue"] and created:
                    line = "stored, queued for processing"
                self.stdout.write(f"{path}: {line}")
        self.stderr.write(f"{len(files) - failures} of {len(files)} file(s) stored.")
        if failures:
            raise CommandError(f"{failures} file(s) could not be stored")
