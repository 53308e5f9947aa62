"""The e-mails written by channels_app.outbound_mail read, in any mail client, as Django's would.

Each message goes through EmailAdapter to a real SMTP server (aiosmtpd), and is compared with
the message Django's EmailMultiAlternatives builds from the same parts, both read back by the
standard library's strict parser.
"""

import base64
import re
from email import policy
from email.parser import BytesParser

import pytest
from django.core.mail import EmailMultiAlternatives

from channels_app.adapters.email import EmailAdapter
from channels_app.base import OutboundMessage
from channels_app.outbound_mail import MAX_LINE_BYTES, compose
from tickets.services import NewAttachment

LONG_LINE = "Allego la documentazione richiesta: " + "passaporto, permesso, codice fiscale; " * 40
THREAD = [f"<citizen-{i}.{'x' * 30}@mail.example.org>" for i in range(10)]

CASES = {
    "ascii": ("Richiesta ricevuta", "Buongiorno,\nabbiamo ricevuto la richiesta.\n", ""),
    "italian with html": (
        "Abbiamo ricevuto la sua richiesta — è registrata",
        "Gentile Niccolò,\n\nla sua richiesta è registrata.\nQuesto è un messaggio automatico.\n",
        "<!doctype html><html lang='it'><body><p>Gentile Niccolò,</p><p>è registrata.</p></body></html>\n",
    ),
    "long ascii subject": (" ".join(["rinnovo"] * 30), "Testo.\n", "<p>Testo.</p>"),
    "long non-latin subject": (
        "Ваш запрос получен и зарегистрирован в системе обработки обращений граждан " * 3,
        "Здравствуйте!\r\nВаш запрос получен.\r\n",
        "<p>Здравствуйте!</p>",
    ),
    "emoji and arabic": ("تم استلام طلبك 📨", "مرحبا 👋\rشكرا\n", "<p dir='rtl'>مرحبا 👋</p>"),
    "a line too long for 8bit": ("Richiesta", LONG_LINE + "\nFine è qui.\n", "<p>" + LONG_LINE + "</p>"),
    "dots at line starts": ("Punti", ".\n..\n.fine\n", ""),
}


def outbound(subject: str, text: str, html: str, to: str = "amina.diallo@example.org") -> OutboundMessage:
    return OutboundMessage(
        message_id=7,
        to=to,
        text=text,
        subject=subject,
        reference="IST-2026-0000007",
        language="it",
        attachments=[],
        headers={
            "Message-ID": "<IST-2026-0000007.7.abc@comune.example.it>",
            "In-Reply-To": THREAD[-1],
            "References": " ".join(THREAD),
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
        },
        extra={"html": html} if html else {},
    )


def read(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def django_built(message: OutboundMessage, settings):
    email = EmailMultiAlternatives(
        subject=f"[{message.reference}] {' '.join(message.subject.split())}",
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[settings.SPORTELLO_REPLY_TO],
        headers=message.headers,
    )
    if message.extra.get("html"):
        email.attach_alternative(message.extra["html"], "text/html")
    return read(email.message().as_bytes(linesep="\r\n"))


def parts(message) -> list[tuple[str, str]]:
    return [
        (part.get_content_type(), part.get_content().replace("\r\n", "\n").replace("\r", "\n"))
        for part in message.walk()
        if not part.is_multipart()
    ]


@pytest.mark.parametrize("case", CASES)
def test_the_message_reads_as_djangos_would(case, smtp_sink, settings):
    settings.DEFAULT_FROM_EMAIL = "Sportello Unico Immigrazione — Comune <sportello@comune.example.it>"
    settings.SPORTELLO_REPLY_TO = "Ufficio Relazioni con il Pubblico <urp@comune.example.it>"
    message = outbound(*CASES[case])

    EmailAdapter().send(message)

    [sent] = smtp_sink.wait_for(1)
    expected = django_built(message, settings)
    for name in ("Subject", "From", "To", "Reply-To", "Message-ID", "In-Reply-To", "References", "Auto-Submitted"):
        assert str(sent[name]) == " ".join(str(expected[name]).split()), name  # Django's may start with a space
    assert sent["Date"].datetime is not None
    assert parts(sent) == parts(expected)
    assert [part.defects for part in sent.walk()] == [[] for _part in sent.walk()]
    [raw] = smtp_sink.raw
    assert max(len(line) for line in raw.split(b"\r\n")) <= MAX_LINE_BYTES
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only, as SMTP requires
    for word in re.findall(rb"=\?utf-8\?b\?[^?]*\?=", raw.split(b"\r\n\r\n")[0]):
        # RFC 2047 §5: at most 75 characters, and whole characters only: some clients decode word by word
        assert len(word) <= 75
        base64.b64decode(word[10:-2]).decode()


def test_non_ascii_bodies_are_announced_as_8bit_to_the_server(smtp_sink):
    EmailAdapter().send(outbound(*CASES["italian with html"]))
    EmailAdapter().send(outbound(*CASES["ascii"]))

    smtp_sink.wait_for(2)
    announced = [[option for option in options if option.startswith("BODY=")] for options in smtp_sink.mail_options]
    assert announced == [["BODY=8BITMIME"], []]  # RFC 6152


def test_without_8bitmime_the_bodies_go_quoted_printable(settings):
    subject, text, html = CASES["italian with html"]
    composed = compose(subject=subject, to="a@example.org", text=text, html=html, eight_bit_ok=False)

    assert composed.data.isascii() and not composed.eight_bit
    assert max(len(line) for line in composed.data.split(b"\r\n")) <= 78
    assert [content for _type, content in parts(read(composed.data))] == [text, html]


def test_attachments_and_internationalised_mailboxes_are_built_by_django(smtp_sink):
    message = outbound(*CASES["italian with html"])
    message.attachments = [NewAttachment("ricevuta.pdf", "application/pdf", b"%PDF-1.4 ricevuta")]
    EmailAdapter().send(message)
    EmailAdapter().send(outbound(*CASES["ascii"], to="amina@comune-città.example"))

    with_attachment, to_idn = smtp_sink.wait_for(2)
    [attachment] = list(with_attachment.iter_attachments())
    assert attachment.get_filename() == "ricevuta.pdf" and attachment.get_content() == b"%PDF-1.4 ricevuta"
    assert compose(subject="x", to="amina@comune-città.example", text="x") is None
    assert to_idn["To"].addresses[0].domain == "comune-città.example".encode("idna").decode()
