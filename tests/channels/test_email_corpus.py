"""Every real-world e-mail of the shared corpus through `manage.py ingest_email`: nothing crashes, nothing is lost.

Each file becomes a ticket or a message on one, an ignored auto-reply/bounce, or a quarantined
record, and in every case an InboundMessage holding the file's exact bytes.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from channels_app.models import InboundMessage
from tickets.models import Message, Ticket

from ..factories import QueueFactory

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
EMAILS = sorted((CORPUS / "email").glob("*.eml")) if CORPUS.exists() else []
VOICEMAILS = sorted((CORPUS / "voicemail").glob("*.eml")) if CORPUS.exists() else []
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eager_tasks"),
    pytest.mark.skipif(not EMAILS, reason="the shared corpus is not here"),
]

OUTCOME_RE = re.compile(r"^(IST-\d{4}-\d{7}|threaded onto IST-\d{4}-\d{7}|ignored: .+|quarantined: .+)$")
# Index tags that mark automatic mail: it must never open a ticket.
AUTOMATIC_TAGS = {"auto-submitted", "auto-reply", "dsn/report", "delivery-status", "mdn", "arf", "precedence-bulk"}
AUTOMATIC_NAMES = re.compile(
    r"^sisimai-rfc3834-|^flanker-bounce-|-dsn-|complaints-aol|disposition-notification|^sisimai-(mac-)?lhost-"
)


def _index_tags() -> dict[str, set[str]]:
    index = CORPUS / "index.csv"
    if not index.exists():
        return {}
    with index.open(newline="", encoding="utf-8") as handle:
        return {row["path"]: set(row["tags"].split()) for row in csv.DictReader(handle)}


TAGS = _index_tags()


def is_automatic(path: Path) -> bool:
    return bool(AUTOMATIC_NAMES.search(path.name)) or bool(TAGS.get(f"email/{path.name}", set()) & AUTOMATIC_TAGS)


def ingest(path: Path, channel: str = "email") -> str:
    out = io.StringIO()
    call_command("ingest_email", str(path), "--channel", channel, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    prefix = f"{path}: "
    assert lines[0].startswith(prefix)
    return lines[0][len(prefix) :]


@pytest.fixture
def desk(db):
    return QueueFactory()


@pytest.mark.parametrize("path", EMAILS + VOICEMAILS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_is_kept_and_has_an_outcome(desk, path):
    channel = "voicemail" if path.parent.name == "voicemail" else "email"
    outcome = ingest(path, channel)

    assert OUTCOME_RE.match(outcome), outcome
    inbound = InboundMessage.objects.get()
    assert bytes(inbound.raw) == path.read_bytes()  # nothing lost, byte for byte
    assert inbound.channel == channel
    if outcome.startswith("IST-"):
        assert inbound.state == InboundMessage.State.PROCESSED
        ticket = Ticket.objects.get(reference=outcome)
        assert inbound.ticket == ticket
        message = ticket.messages.get(direction=Message.Direction.INBOUND)
        assert message.external_id == inbound.external_id
        assert message.text.strip() or message.html.strip() or message.attachments.exists() or ticket.subject
    elif outcome.startswith("ignored: "):
        assert inbound.state == InboundMessage.State.IGNORED
        assert Ticket.objects.count() == 0
    elif outcome.startswith("quarantined: "):
        assert inbound.state == InboundMessage.State.QUARANTINED
        assert inbound.error
    if channel == "email":
        assert outcome.startswith("ignored: ") == is_automatic(path), outcome


def test_a_directory_is_ingested_file_by_file_and_a_second_run_adds_nothing(desk, tmp_path):
    for name in ("talon-thunderbird.eml", "sisimai-rfc3834-02.eml", "mikel-mail-raw_email_reply.eml"):
        (tmp_path / name).write_bytes((CORPUS / "email" / name).read_bytes())
    out = io.StringIO()
    call_command("ingest_email", str(tmp_path), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert sum(": IST-" in line for line in lines) == 2
    assert sum(": ignored: " in line for line in lines) == 1

    again = io.StringIO()
    call_command("ingest_email", str(tmp_path), stdout=again, stderr=io.StringIO())
    assert all("received before" in line or "already received" in line for line in again.getvalue().splitlines())
    assert InboundMessage.objects.count() == 3
    assert Ticket.objects.count() == 2


def test_messages_sharing_a_message_id_are_both_kept(desk):
    # Five enmime test files reuse one Message-ID with different bodies: none is taken for a redelivery.
    same_id = ["enmime-low-quality-bad-header-wrap.eml", "enmime-low-quality-incorrect-charset.eml"]
    outcomes = [ingest(CORPUS / "email" / name) for name in same_id]
    assert all(o.startswith("IST-") for o in outcomes), outcomes
    assert InboundMessage.objects.count() == 2
    assert Ticket.objects.count() == 2


def test_a_file_that_cannot_be_read_fails_the_command_but_not_the_batch(desk, tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes((CORPUS / "email" / "talon-gmail.eml").read_bytes())
    out = io.StringIO()
    with pytest.raises(CommandError):  # exit status 1 from the shell
        call_command("ingest_email", str(tmp_path / "missing.eml"), str(good), stdout=out, stderr=io.StringIO())
    assert "missing.eml: not stored" in out.getvalue()
    assert Ticket.objects.count() == 1


# What the files say, read by hand: subject, sender and the start of the text.
EXPECTED = {
    # format=flowed: the quoted "> Hi " does not flow into the unquoted "Hello".
    "talon-thunderbird.eml": (
        "Re: Test",
        "bob@xxx.mailgun.org",
        "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello",
    ),
    # Raw windows-1251 Subject in a message declaring ISO-8859-1, and the same read as Latin-1 and re-saved as UTF-8.
    "django-mailbox-message_with_single_byte_extended_subject_encoding.eml": (
        "Узнай как зарабатывать от 1000$ в неделю!",
        "mr.test32@mail.ru",
        "",
    ),
    "django-mailbox-test_UnicodeDecodeError.eml": (
        "Узнай как зарабатывать от 1000$ в неделю!",
        "mr.test32@mail.ru",
        "",
    ),
    "django-helpdesk-quoted_printable.eml": (
        "Český test",
        "tim.thelion@gmail.com",
        "Tohle je test českých písmen odeslaných z gmailu.",
    ),
    "mikel-mail-japanese_iso_2022.eml": ("まみむめも", "raasdnil@gmail.com", "すみません。"),
    "mikel-mail-japanese_shift_jis.eml": ("test", "xxxxxxx@docomo.ne.jp", "あいうえお"),
    "django-mailbox-message_with_single_byte_encoding.eml": (
        "Tjest",
        "somebody@somewhere.com",
        "Это сообщение имеет неправильную кодировка.",
    ),
    "flanker-bilingual-simple.eml": (
        "Simple text. How are you? Как ты поживаешь?",
        "hello@example.com",
        "This line is in English\nА эта линия по-русски.",
    ),
    "spamscope-mail_test_10.eml": (
        "*** ATTENZIONE *** - Modelli POWER7+ inclusi nella campagna Move To Eight",
        "nicoletta_bernasconi@it.ibm.com",
        "Gentili Business Partner, vi segnalo che oggi è stato annunciato",
    ),
    "spamscope-mail_test_7.eml": (
        "I: Ordine",
        "geronazzo@voidstudicom.it",
        "Ciao sere mi puoi dire se il mio cliente deve fare questa dichiarazione?",
    ),
    "parse-emails-utf_8_with_bom.eml": (
        "Test UTF Email",
        "test@test.com",
        "This is a test smtp type email. With hebrew:",
    ),
    "parse-emails-smtp_envelope_headers.eml": ("Test Smtp Email", "test@test.com", "This is a test smtp type email"),
    "mikel-mail-raw_email_reply.eml": ("Re: Test reply email", "xxxxxxxx@xxx.org", "Message body"),
    "mikel-mail-ks_c_5601-1987.eml": ("test", "from@example.com", "스티해"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_subject_sender_and_text_are_right(desk, name):
    subject, sender, text = EXPECTED[name]
    reference = ingest(CORPUS / "email" / name)
    ticket = Ticket.objects.get(reference=reference)
    message = ticket.messages.get(direction=Message.Direction.INBOUND)
    assert ticket.subject == subject
    assert message.subject == subject
    assert ticket.citizen.email == sender
    assert message.sender == sender
    assert message.text.startswith(text), message.text[:200]


def test_tnef_winmail_dat_is_kept_as_a_file(desk):
    reference = ingest(CORPUS / "email" / "horde-compress-Itip_Reply.eml")
    attachment = Ticket.objects.get(reference=reference).attachments.get()
    assert attachment.filename == "winmail.dat"
    assert attachment.size > 0


def test_a_reply_threads_by_in_reply_to_onto_the_ticket_of_the_first_message(desk):
    first = ingest(CORPUS / "email" / "talon-thunderbird.eml")
    reply = (
        b"From: bob <bob@xxx.mailgun.org>\r\nTo: urp@comune.example.it\r\nSubject: Re: Re: Test\r\n"
        b"Message-ID: <reply-1@xxx.mailgun.org>\r\nIn-Reply-To: <4F79B73C.9030506@xxx.mailgun.org>\r\n"
        b"References: <4F79B73C.9030506@xxx.mailgun.org>\r\n\r\nOne more thing.\r\n"
    )
    from channels_app.adapters.email import store_email
    from channels_app.pipeline import ingest_inbound

    inbound, _created = store_email(reply, enqueue=False)
    outcome = ingest_inbound(inbound.pk)
    assert [t.reference for t in outcome.threaded] == [first]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().messages.filter(direction=Message.Direction.INBOUND).count() == 2


def test_a_reply_threads_by_the_reference_in_the_subject(desk):
    first = ingest(CORPUS / "email" / "talon-gmail.eml")
    reply = (
        f"From: Someone Else <other@example.org>\r\nSubject: R: [{first.lower()}] documenti\r\n"
        f"Message-ID: <ref-1@example.org>\r\n\r\nEcco i documenti.\r\n"
    ).encode()
    from channels_app.adapters.email import store_email
    from channels_app.pipeline import ingest_inbound

    inbound, _created = store_email(reply, enqueue=False)
    outcome = ingest_inbound(inbound.pk)
    assert [t.reference for t in outcome.threaded] == [first]
