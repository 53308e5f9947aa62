"""`manage.py ingest_email` through database errors: every file is tried, every failure reported, exit status 1."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from channels_app.adapters import email as email_adapter
from channels_app.management.commands import ingest_email
from channels_app.models import InboundMessage
from tickets.models import Ticket

from ..factories import QueueFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def citizen_mail(name: str) -> bytes:
    return (
        f"Message-ID: <{name}@cittadini.example.org>\r\n"
        f"From: Cittadino <{name}@cittadini.example.org>\r\n"
        "To: sportello@example.org\r\n"
        f"Subject: Cittadinanza ({name})\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Buongiorno, a che punto è la mia domanda?\r\n"
    ).encode()


@pytest.fixture
def mail_dir(db, tmp_path):
    QueueFactory()
    for name in ("a-first", "b-store-fails", "c-processing-fails", "d-last"):
        (tmp_path / f"{name}.eml").write_bytes(citizen_mail(name))
    return tmp_path


@pytest.fixture
def database_errors(monkeypatch):
    """The database fails storing b-store-fails and processing c-processing-fails; nothing else."""
    store, ingest = email_adapter.store_email, ingest_email.ingest_inbound

    def failing_store(raw: bytes, **kwargs):
        if b"<b-store-fails@" in raw:
            raise OperationalError("server closed the connection unexpectedly")
        return store(raw, **kwargs)

    def failing_ingest(inbound_id: int, **kwargs):
        if InboundMessage.objects.filter(pk=inbound_id, external_id__startswith="c-processing-fails@").exists():
            raise OperationalError("canceling statement due to statement timeout")
        return ingest(inbound_id, **kwargs)

    monkeypatch.setattr(ingest_email, "store_email", failing_store)
    monkeypatch.setattr(ingest_email, "ingest_inbound", failing_ingest)


def run(*args: str) -> tuple[list[str], str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest_email", *args, stdout=out, stderr=err)
    except CommandError as exc:  # exit status 1 from the shell
        return out.getvalue().splitlines(), err.getvalue(), exc
    return out.getvalue().splitlines(), err.getvalue(), None


def test_a_database_error_on_one_file_does_not_stop_the_others_and_each_failure_is_reported(mail_dir, database_errors):
    lines, errors, failure = run(str(mail_dir))

    assert failure is not None, "the command must exit non-zero when a file failed"
    assert "2 of 4" in str(failure)
    by_file = dict(line.split(": ", 1) for line in lines)
    assert len(lines) == 4, lines  # one line per file, none left out
    assert by_file[str(mail_dir / "a-first.eml")].startswith("IST-")
    assert by_file[str(mail_dir / "b-store-fails.eml")] == (
        "not stored: OperationalError: server closed the connection unexpectedly"
    )
    assert by_file[str(mail_dir / "c-processing-fails.eml")] == (
        "stored, not processed: OperationalError: canceling statement due to statement timeout"
    )
    assert by_file[str(mail_dir / "d-last.eml")].startswith("IST-")  # tried after the two failures
    assert f"failed: {mail_dir / 'b-store-fails.eml'}: not stored" in errors
    assert f"failed: {mail_dir / 'c-processing-fails.eml'}: stored, not processed" in errors

    # What was stored is what was reported stored: the failed processing left its input waiting, not lost.
    stored = dict(InboundMessage.objects.values_list("external_id", "state"))
    assert stored == {
        "a-first@cittadini.example.org": InboundMessage.State.PROCESSED,
        "c-processing-fails@cittadini.example.org": InboundMessage.State.RECEIVED,
        "d-last@cittadini.example.org": InboundMessage.State.PROCESSED,
    }
    assert Ticket.objects.count() == 2


def test_a_second_run_once_the_database_is_back_finishes_what_failed(mail_dir, database_errors, monkeypatch):
    run(str(mail_dir))
    monkeypatch.undo()

    lines, _errors, failure = run(str(mail_dir))

    assert failure is None
    by_file = dict(line.split(": ", 1) for line in lines)
    assert by_file[str(mail_dir / "b-store-fails.eml")].startswith("IST-")
    assert by_file[str(mail_dir / "c-processing-fails.eml")].startswith("IST-")
    assert by_file[str(mail_dir / "a-first.eml")].startswith("already received: IST-")
    assert InboundMessage.objects.filter(state=InboundMessage.State.PROCESSED).count() == 4
    assert Ticket.objects.count() == 4
