"""The e-mail parser on real-world mail: every corpus file, then hand-checked expectations.

The parametrized tests glob the corpus folders, so files added later (or a held-out set laid
out the same way) are picked up without touching this module. Expected values below were read
from the raw files, not from the parser's output.
"""

import csv
import random
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from channels_app.email_parsing import EmailParseError, ParsedEmail, extract_reference, parse_email

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
EMAIL_FILES = sorted([*CORPUS.glob("email/*.eml"), *CORPUS.glob("voicemail/*.eml")])
ENCODED_WORD = re.compile(r"=\?[\w.:-]+\?[bq]\?", re.IGNORECASE)
UNSAFE_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def parse_corpus(name: str) -> ParsedEmail:
    folder = "voicemail" if name.startswith("asterisk-") else "email"
    return parse_email((CORPUS / folder / name).read_bytes())


def corpus_tags() -> dict[str, set[str]]:
    index = CORPUS / "index.csv"
    if not index.exists():
        return {}
    with index.open(newline="", encoding="utf-8") as handle:
        return {row["path"]: set(row["tags"].split()) for row in csv.DictReader(handle)}


TAGS = corpus_tags()


def test_corpus_is_there():
    assert len(EMAIL_FILES) >= 150, f"corpus not found under {CORPUS}"


@pytest.mark.parametrize("path", EMAIL_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_corpus_message_parses_into_clean_plain_data(path):
    started = time.perf_counter()
    parsed = parse_email(path.read_bytes())
    elapsed = time.perf_counter() - started

    assert elapsed < 2.0, f"parsing took {elapsed:.2f}s"
    for name in ("message_id", "subject", "from_name", "from_address", "reply_to", "in_reply_to", "text", "html"):
        value = getattr(parsed, name)
        assert isinstance(value, str), name
        assert not UNSAFE_TEXT.search(value), f"NUL or lone surrogate in {name}"
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert not ENCODED_WORD.search(parsed.subject), parsed.subject
    assert not ENCODED_WORD.search(parsed.from_name), parsed.from_name
    assert "\r" not in parsed.text
    assert parsed.text == parsed.text.strip("\n")
    assert all(line == line.rstrip() for line in parsed.text.split("\n"))
    assert parsed.from_address == parsed.from_address.lower()
    assert parsed.from_address == "" or "@" in parsed.from_address
    assert all(isinstance(address, str) and "@" in address for address in [*parsed.to, *parsed.cc])
    assert all(isinstance(reference, str) and reference for reference in parsed.references)
    assert parsed.date is None or parsed.date.tzinfo is not None
    assert "<script" not in parsed.html.lower()
    assert all(isinstance(defect, str) and defect for defect in parsed.defects)
    for attachment in parsed.attachments:
        assert attachment.filename
        assert not re.search(r"[/\\\x00-\x1f]", attachment.filename), attachment.filename
        assert attachment.filename not in (".", "..")
        assert isinstance(attachment.payload, bytes)
        assert re.fullmatch(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", attachment.content_type)
        assert not attachment.content_id.startswith("<")
        assert not attachment.inline or attachment.content_id


@pytest.mark.parametrize(
    "path",
    [
        path
        for path in EMAIL_FILES
        if TAGS.get(f"{path.parent.name}/{path.name}", set()) & {"dsn/report", "mdn", "arf"}
    ],
    ids=lambda path: path.name,
)
def test_every_report_is_flagged_automatic(path):
    assert parse_email(path.read_bytes()).auto_reason


@pytest.mark.parametrize(
    "path",
    [path for path in EMAIL_FILES if "tnef" in TAGS.get(f"{path.parent.name}/{path.name}", set())],
    ids=lambda path: path.name,
)
def test_every_tnef_message_keeps_winmail_dat(path):
    attachments = parse_email(path.read_bytes()).attachments
    assert any(a.filename.lower() == "winmail.dat" and a.content_type.endswith("ms-tnef") for a in attachments)


@pytest.mark.parametrize(
    "path",
    [path for path in EMAIL_FILES if "rfc822-part" in TAGS.get(f"{path.parent.name}/{path.name}", set())],
    ids=lambda path: path.name,
)
def test_every_enclosed_message_is_kept_as_eml(path):
    attachments = parse_email(path.read_bytes()).attachments
    assert any(a.content_type.startswith("message/") and a.filename.lower().endswith(".eml") for a in attachments)


# --- Charsets and encoded words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subject", "from_address", "phrase"),
    [
        ("django-helpdesk-all-special-chars.eml", "Testovácí email", "timothy.hobbs@auto-mat.cz", "íářčšáíéřášč"),
        (
            "django-helpdesk-quoted_printable.eml",
            "Český test",
            "tim.thelion@gmail.com",
            "Tohle je test českých písmen odeslaných z gmailu.",
        ),
        (
            "django-mailbox-message_with_utf8_attachment.eml",
            "Odpowiedź od burmistrza na wniosek stowarzyszenia",
            "kontakt@redacted",
            "Niniejsza wiadomość elektroniczna",
        ),
        (
            "django-mailbox-message_with_single_byte_encoding.eml",
            "Tjest",
            "somebody@somewhere.com",
            "Это сообщение имеет неправильную кодировка.",
        ),
        ("mikel-mail-japanese_iso_2022.eml", "まみむめも", "raasdnil@gmail.com", "すみません。"),
        ("mikel-mail-japanese_shift_jis.eml", "test", "xxxxxxx@docomo.ne.jp", "このメールはテスト用のメールです。"),
        ("mikel-mail-ks_c_5601-1987.eml", "test", "from@example.com", "스티해"),
        ("parse-emails-chinese_gb2312_encoding.eml", "Greeting in Chinese", "sender@example.com", "你好，我是程序员"),
        ("spamscope-mail_test_12.eml", "代开各地增值税发票", "baoguan@hotmail.com", "我公司可代开各类增值税发票"),
        ("parse-emails-chinese_email_test.eml", "示例邮件", "test@test.com", "这是一个示例邮件"),
        ("flanker-bilingual-simple.eml", "Simple text. How are you? Как ты поживаешь?", "hello@example.com", ""),
        ("nodemailer-mailparser-sparrow.eml", "Tere öäõü", "mailer@node.ee", "Kuidas läheb?"),
        (
            "nodemailer-mailparser-mail.eml",
            "Simple test message with special characters like š and õ",
            "andris.reinman@gmail.com",
            "special characters (öäõü)",
        ),
        (
            "mikel-mail-raw_email_with_partially_quoted_subject.eml",
            'Re: Test: "漢字" mid "漢字" tail',
            "jamis@37signals.com",
            "제 이름은 Jamis입니다.",
        ),
    ],
)
def test_legacy_and_unicode_charsets_are_decoded(name, subject, from_address, phrase):
    parsed = parse_corpus(name)
    assert parsed.subject == subject
    assert parsed.from_address == from_address
    assert phrase in parsed.text


def test_polish_iso_8859_2_sender_name_and_attachment():
    parsed = parse_corpus("django-mailbox-bad_character_attachment.eml")
    assert parsed.from_name == "Reisinger Ádám"
    assert parsed.subject == "bad character attachment"
    assert parsed.text == "test message"
    [pdf] = parsed.attachments
    assert pdf.content_type == "application/pdf"
    assert pdf.filename.endswith("relem.pdf")  # the sender's own bytes are U+FFFD there
    assert pdf.payload.startswith(b"%PDF")


def test_windows_1250_polish_subject():
    parsed = parse_corpus("django-mailbox-message_with_utf8_surrogates.eml")
    assert parsed.subject == "Do czego też są zdolni Polscy sędziowie ..."


def test_gb2312_encoded_sender_name():
    assert parse_corpus("spamscope-mail_test_12.eml").from_name == "张先生"


def test_raw_big5_subject_double_encoded_by_a_gateway_is_restored():
    parsed = parse_corpus("mikel-mail-content_transfer_encoding_empty.eml")
    assert "大家說英語" in parsed.subject
    assert "繁體中文光碟版" in parsed.subject


def test_declared_ascii_but_utf8_body_is_read_as_utf8():
    parsed = parse_corpus("enmime-low-quality-incorrect-charset.eml")
    assert "∮ E⋅da = Q" in parsed.text
    assert any("UTF-8" in defect for defect in parsed.defects)


def test_garbage_charset_names_fall_back_sensibly():
    assert (
        "We offer loans to private individuals"
        in parse_corpus("django-mailbox-message_with_invalid_encoding.eml").text
    )
    unknown = parse_corpus("enmime-low-quality-unk-charset-part.eml")
    assert unknown.text == "A text section"
    assert any("fakescii" in defect for defect in unknown.defects)


def test_bogus_encoded_word_charset_is_still_decoded():
    parsed = parse_corpus("mikel-mail-bad_encoded_subject.eml")  # =?NONE?B?VEVTVA=?=
    assert parsed.subject == "TEST"


def test_encoded_words_split_mid_character_are_joined():
    parsed = parse_corpus("mikel-mail-bad_subject.eml")
    assert parsed.subject == "MySurvey.com: You have a survey waiting! 91123105"
    assert parsed.from_name == "MySurvey.com & Carol Adams"


def test_raw_8bit_headers_are_decoded():
    assert parse_corpus("mikel-mail-utf8_headers.eml").subject == "Säying Hello"
    assert parse_corpus("mikel-mail-invalid_subject_characters.eml").subject.startswith("Formação FrenetikPolis")
    assert parse_corpus("flanker-from-encoding.eml").from_name == "Ingo Lütkebohle"
    assert parse_corpus("mikel-mail-attachment_pdf_non_ascii_lf.eml").subject == (
        "Another PDF with 🎉 Unicode chars in it 🍿"
    )


def test_huge_folded_subject_is_decoded_and_capped():
    parsed = parse_corpus("flanker-long-header.eml")
    assert parsed.subject.startswith("Die heiße Zypernsonne quälte Max und Victoria ja böse auf dem Weg bis zur Küste")
    assert len(parsed.subject) <= 998
    assert any("truncated" in defect for defect in parsed.defects)


def test_display_names_with_encoded_commas():
    parsed = parse_corpus("spamscope-mail_test_18.eml")
    assert parsed.from_name == "LastßlName, FirstName"
    assert parsed.from_address == "comma.name@example.com"
    assert parsed.to == ["tony.stark@example.com"]
    assert parsed.cc == ["simple@example.net", "john.doe@example.com"]


def test_address_hidden_inside_an_encoded_word():
    parsed = parse_corpus("spamscope-mail_test_17.eml")
    assert parsed.subject == "Transferencia Interbancaria Banca en Línea"
    assert parsed.from_address == "notificaccion-clientes@bbva.mx"


# --- Broken structure ------------------------------------------------------------------------


def test_smtp_envelope_lines_before_headers():
    parsed = parse_corpus("parse-emails-smtp_envelope_headers.eml")
    assert parsed.subject == "Test Smtp Email"
    assert parsed.from_address == "test@test.com"
    assert parsed.message_id == "5b4831d0-5322-ea23-6312-864ff419a1f1@test.com"
    assert parsed.text == "This is a test smtp type email"


def test_junk_text_before_headers():
    parsed = parse_corpus("parse-emails-test_text_before_headers.eml")
    assert parsed.subject == "test bcc"
    assert parsed.text == "test bcc"
    assert parsed.defects


def test_utf8_bom_before_headers():
    parsed = parse_corpus("parse-emails-utf_8_with_bom.eml")
    assert parsed.subject == "Test UTF Email"
    assert parsed.to == ["test@test.com"]
    assert "עברית" in parsed.text


def test_mbox_from_line_is_not_a_defect():
    parsed = parse_corpus("nodemailer-mailparser-large_text.eml")
    assert parsed.subject == "[Bug 381598] Re: ubiquity crashes in ubuntu 9.04 installation"
    assert parsed.from_address == "brian@ubuntu.com"
    assert "ubiquity" in parsed.text


def test_bare_cr_line_endings():
    parsed = parse_corpus("sisimai-mac-lhost-exchange2007-01.eml")
    assert parsed.subject == "Undeliverable: Nyaan"
    assert "Delivery has failed to these recipients or distribution lists" in parsed.text
    assert parsed.auto_reason


def test_stray_blank_line_that_pushed_mime_headers_into_the_body():
    parsed = parse_corpus("django-mailbox-message_with_single_byte_extended_subject_encoding.eml")
    assert parsed.from_address == "mr.test32@mail.ru"
    assert "X-Spam_score" not in parsed.text  # the pushed-down headers are headers again
    assert parsed.html.strip()


def test_junk_glued_before_a_header_name():
    parsed = parse_corpus("mikel-mail-raw_email_incorrect_header.eml")
    assert parsed.subject == "Stop adware/spyware once and for all."
    assert parsed.text.startswith("You are infected with:")


def test_parameter_continuation_without_whitespace():
    parsed = parse_corpus("enmime-low-quality-bad-header-wrap.eml")
    assert parsed.text == "A text section"
    [zipped] = parsed.attachments
    assert zipped.filename == "7DDA4_foo_9E5D72.zip"


def test_unquoted_boundary_with_equals_sign():
    parsed = parse_corpus("mikel-mail-raw_email_with_illegal_boundary.eml")
    assert parsed.text.startswith("Hello\nThis is an outlook test")


def test_multipart_without_boundary_is_read_as_text():
    parsed = parse_corpus("enmime-mail-multipart-wo-boundary.eml")
    assert parsed.text == "I'm  multipart message without boundary"
    assert parsed.auto_reason  # Mailer-Daemon, multipart/report


def test_wrong_boundary_parts_are_recovered():
    parsed = parse_corpus("spamscope-mail_malformed_3.eml")
    assert "Problemas para visualizar" in parsed.text
    assert any("recovered" in defect for defect in parsed.defects)


def test_part_after_a_reused_closing_boundary_is_kept():
    parsed = parse_corpus("spamscope-mail_malformed_1.eml")
    assert [a.filename for a in parsed.attachments] == ["20160523_916527.jpg_.zip"]


def test_missing_final_boundary():
    assert parse_corpus("flanker-missing-final-boundary.eml").text == "Some body"


def test_deep_nesting_is_bounded():
    parsed = parse_corpus("horde-mime-deeply_nested.eml")
    assert any("nesting" in defect for defect in parsed.defects)


def test_malformed_base64_decodes_what_it_can():
    parsed = parse_corpus("enmime-low-quality-malformed-base64-attach.eml")
    [document] = parsed.attachments
    assert document.filename == "some.doc"
    assert document.payload == b"<html>\n"
    assert any("base64" in defect for defect in parsed.defects)


def test_unknown_transfer_encoding_keeps_the_bytes():
    parsed = parse_corpus("enmime-low-quality-unk-encoding-part.eml")
    assert parsed.attachments[0].filename == "foo_9E5D72.zip"
    assert any("base9000" in defect for defect in parsed.defects)


def test_lenient_transfer_encoding_spellings():
    assert (
        "If you're in need of a good RX site"
        in parse_corpus("mikel-mail-content_transfer_encoding_qp_with_space.eml").text
    )
    semicolon = parse_corpus("mikel-mail-content_transfer_encoding_with_semi_colon.eml")
    assert "pre-approved for a $402,000 Home Loan" in semicolon.text
    assert "=3D" not in semicolon.html


def test_html_body_without_content_type():
    parsed = parse_corpus("mikel-mail-raw_email_multiple_from.eml")
    assert parsed.from_address == "tim@powerupdev.com"  # two addresses without a comma
    assert parsed.text.startswith("recordkick 2007-10-22 23:45:23 +0000")
    assert "<p>" not in parsed.text
    assert "Modified:\ntrunk/README" in parsed.text  # <pre> keeps its line breaks


def test_implausible_date_is_dropped_and_normal_dates_are_aware():
    assert parse_corpus("mikel-mail-raw_email_bad_time.eml").date is None
    parsed = parse_corpus("mikel-mail-raw_email_reply.eml")
    assert parsed.date == datetime(2007, 11, 18, 19, 56, 7, tzinfo=timezone(timedelta(hours=11)))
    assert parsed.date.astimezone(UTC).hour == 8


def test_thread_headers():
    parsed = parse_corpus("mikel-mail-raw_email_reply.eml")
    assert parsed.message_id == "473FFE27.20003@xxx.org"
    assert parsed.in_reply_to == "348F04F142D69C21-291E56D292BC@xxxx.net"
    assert parsed.references == ["473FF3B8.9020707@xxx.org", "348F04F142D69C21-291E56D292BC@xxxx.net"]
    assert parse_corpus("mikel-mail-empty_in_reply_to.eml").in_reply_to == ""


# --- Bodies and attachments ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subject", "from_address", "phrase"),
    [
        (
            "spamscope-mail_test_10.eml",
            "*** ATTENZIONE *** - Modelli POWER7+ inclusi nella campagna Move To Eight",
            "nicoletta_bernasconi@it.ibm.com",
            "vi segnalo che oggi è stato annunciato",
        ),
        (
            "spamscope-mail_test_2.eml",
            "Bollettino Meteorologico del 29/11/2015",
            "meteo@regione.vda.it",
            "REGIONE AUTONOMA VALLE D'AOSTA UFFICIO METEOROLOGICO",
        ),
        (
            "spamscope-mail_test_7.eml",
            "I: Ordine",
            "geronazzo@voidstudicom.it",
            "Ciao sere mi puoi dire se il mio cliente deve fare questa dichiarazione?",
        ),
        (
            "spamscope-mail_test_5.eml",
            "Je prépare mon été zéro complexe !",
            "contact@carlance.fr",
            "Si ce message ne s'affiche pas correctement, veuillez cliquer",
        ),
        (
            "spamscope-mail_test_17.eml",
            "Transferencia Interbancaria Banca en Línea",
            "notificaccion-clientes@bbva.mx",
            "Test",
        ),
        (
            "sisimai-lhost-exchange2007-07.eml",
            "Non recapitabile: Neko Nyaan",
            "postmaster@example.jp",
            "Il recapito non è riuscito per i seguenti destinatari o gruppi",
        ),
        (
            "sisimai-lhost-exchange2007-06.eml",
            "Non remis : Votre deuxième paire de chaussures à 5 euros",
            "postmaster@ville-saumur.fr",
            "Échec de la remise pour ces destinataires ou groupes",
        ),
    ],
)
def test_italian_french_spanish_mail(name, subject, from_address, phrase):
    parsed = parse_corpus(name)
    assert parsed.subject == subject
    assert parsed.from_address == from_address
    assert phrase in parsed.text


def test_text_from_html_only_mail_unescapes_entities_and_keeps_blocks():
    parsed = parse_corpus("spamscope-mail_test_6.eml")  # Russian, HTML only, &mdash; in the source
    assert parsed.subject == "Быстрее вкладывайте в золото!"
    assert "Профессионалы.ru — ведущая деловая сеть России и СНГ" in parsed.text
    assert "<" not in parsed.text and "&mdash;" not in parsed.text
    assert len(parsed.attachments) == 4
    assert all(a.inline and a.content_type == "image/png" for a in parsed.attachments)


def test_html_to_text_drops_style_and_script_and_keeps_line_breaks():
    raw = (
        b"From: a@example.com\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><head><title>T</title><style>p { color: red }</style></head><body>"
        b"<script>alert(1)</script><p>Gentile   utente,</p><div>la pratica &egrave; <b>chiusa</b>.<br>Saluti</div>"
        b"<ul><li>uno</li><li>due</li></ul><!--[if mso]><p>nascosto</p><![endif]--></body></html>"
    )
    parsed = parse_email(raw)
    assert parsed.text == "Gentile utente,\n\nla pratica è chiusa.\nSaluti\n\n- uno\n- due"
    assert "<script" not in parsed.html and "alert" not in parsed.html and "color: red" not in parsed.html
    assert "<b>chiusa</b>" in parsed.html


def test_html_only_mail_gets_text_and_sanitised_html():
    parsed = parse_corpus("nodemailer-mailparser-spam.eml")
    assert "Im Jahre 2007 wurde er als „asozialer Penner“ beschimpft!" in parsed.text
    assert "<" not in parsed.text.split("\n", 1)[1][:200]
    assert parsed.html


def test_inline_cid_image_is_marked_inline():
    parsed = parse_corpus("parse-emails-eml_contains_image_as_cid.eml")
    [image] = parsed.attachments
    assert image.filename == "image001.jpg"
    assert image.content_type == "image/jpeg"
    assert image.content_id == "image001.jpg@01D8B147.CFCD4400"
    assert image.inline
    assert image.payload.startswith(b"\xff\xd8")
    assert "cid:image001.jpg@01D8B147.CFCD4400" in parsed.html
    assert "Just a cat pic below" in parsed.text


def test_html_only_apple_mail_with_inline_image():
    parsed = parse_corpus("enmime-low-quality-html-only-inline.eml")
    assert parsed.text == "Test of HTML section"
    [icon] = parsed.attachments
    assert (icon.filename, icon.content_type, icon.inline) == ("favicon.png", "image/png", True)
    assert icon.payload.startswith(b"\x89PNG")


def test_image_jpg_type_is_normalised():
    parsed = parse_corpus("django-mailbox-message_with_image_jpg_mimetype.eml")
    assert [a.content_type for a in parsed.attachments] == ["image/jpeg", "image/jpeg", "image/gif"]
    assert all(a.inline for a in parsed.attachments)


def test_plain_attachment_is_not_inline():
    parsed = parse_corpus("flanker-iphone.eml")
    [photo] = parsed.attachments
    assert (photo.filename, photo.content_type, photo.inline) == ("photo.JPG", "image/jpeg", False)
    assert parsed.text.startswith("Hello")
    assert parsed.text.endswith("~Danielle")  # the text after the image is kept too


@pytest.mark.parametrize("name", ["horde-compress-Itip_Reply.eml", "horde-compress-tnef_task.eml"])
def test_tnef_is_kept_as_winmail_dat(name):
    parsed = parse_corpus(name)
    [tnef] = [a for a in parsed.attachments if a.filename == "winmail.dat"]
    assert tnef.content_type == "application/ms-tnef"
    assert tnef.payload[:4] == b"\x78\x9f\x3e\x22"  # TNEF signature


def test_tnef_meeting_reply_subject():
    assert parse_corpus("horde-compress-Itip_Reply.eml").subject == (
        'Zugesagt: Infoveranstaltung VDI/VDE Jena "Digitalisierung Medizintechnik"'
    )


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("mikel-mail-attachment_message_rfc822.eml", "ForwardedMessage.eml"),
        ("sisimai-not-is-not-bounce-02.eml", "original.eml"),
        ("flanker-enclosed-global.eml", "thanks.eml"),
        ("mikel-mail-attachment_message_rfc822_inline_image.eml", "Testmail.eml"),
    ],
)
def test_forwarded_message_is_kept_as_eml(name, filename):
    parsed = parse_corpus(name)
    [enclosed] = [a for a in parsed.attachments if a.filename == filename]
    assert enclosed.content_type.startswith("message/")
    assert b"Subject:" in enclosed.payload or b"subject:" in enclosed.payload.lower()


def test_forwarded_message_without_name_gets_one():
    parsed = parse_corpus("enmime-dsn-dsn_with_multipart_alternative.eml")
    assert "forwarded-message.eml" in [a.filename for a in parsed.attachments]


def test_enclosed_pdf_stays_inside_the_eml():
    parsed = parse_corpus("mikel-mail-attachment_message_rfc822.eml")
    assert parsed.text == "This is the first part."
    assert [a.filename for a in parsed.attachments] == ["ForwardedMessage.eml"]
    assert b"broken.pdf" in parsed.attachments[0].payload


def test_pgp_signed_message_keeps_text_and_signature():
    parsed = parse_corpus("django-helpdesk-pgp.eml")
    assert parsed.text.startswith("hi, thanks for looking into this :)")
    [signature] = parsed.attachments
    assert (signature.filename, signature.content_type) == ("signature.asc", "application/pgp-signature")
    assert signature.payload.startswith(b"-----BEGIN PGP SIGNATURE-----")


def test_smime_signed_message_keeps_text_image_and_signature():
    parsed = parse_corpus("mikel-mail-raw_email_with_nested_attachment.eml")
    assert parsed.text.startswith("Here is a test of an attachment via email.")
    assert [a.filename for a in parsed.attachments] == ["truncated.png", "smime.p7s"]


def test_calendar_invitation_keeps_calendar_parts():
    parsed = parse_corpus("horde-activesync-invitation_one.eml")
    assert "You have been invited to the following event." in parsed.text
    calendars = [a for a in parsed.attachments if a.content_type == "text/calendar"]
    assert len(calendars) == 2
    assert all(a.payload.startswith(b"BEGIN:VCALENDAR") for a in calendars)
    assert "invite.ics" in [a.filename for a in calendars]


def test_single_part_attachment_only_message():
    parsed = parse_corpus("mikel-mail-attachment_only_email.eml")
    assert parsed.text == ""
    [archive] = parsed.attachments
    assert (archive.filename, archive.content_type) == ("blah.gz", "application/x-gzip")
    assert archive.payload  # the sample's base64 is filler text, so only check it was decoded
    assert not archive.payload.startswith(b"Subjectthismessage")


def test_rfc2231_and_8bit_filenames():
    japanese = parse_corpus("mikel-mail-japanese_attachment_long_name.eml")
    assert japanese.attachments[0].filename == "かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"
    assert parse_corpus("enmime-mail-mime-bad-8bit-filename.eml").attachments[0].filename == "管理.doc"
    polish = parse_corpus("django-mailbox-message_with_utf8_attachment.eml")
    assert [a.filename for a in polish.attachments] == ["piłkochwyty.jpg", "odpowiedź Burmistrza.jpg"]
    quoted = parse_corpus("mikel-mail-attachment_with_quoted_filename.eml")
    assert quoted.attachments[0].filename == "Eelanalüüsi päring.jpg"


def test_uuencoded_attachment_keeps_its_name():
    parsed = parse_corpus("mikel-mail-content_transfer_encoding_x_uuencode.eml")
    assert parsed.attachments[0].filename == "PGP_Cmts_on_12-14-01_Pkg.doc"
    assert parsed.text.startswith("Attached are the comments of the Public Generating Pool.")


def test_format_flowed_and_quoted_printable_crlf():
    parsed = parse_corpus("mikel-mail-raw_email_quoted_with_0d0a.eml")
    assert "A fax has arrived from remote ID ''." in parsed.text
    assert "\r" not in parsed.text


# --- Voicemail by e-mail -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subject", "phrase", "filename", "content_type"),
    [
        (
            "asterisk-vm-default-template-wav.eml",
            "[PBX]: New message 1 in mailbox 1234",
            "in mailbox 1234 from Giulia Bianchi",
            "msg0000.wav",
            "audio/x-wav",
        ),
        (
            "asterisk-vm-imap-storage-crlf-utf8.eml",
            'Nouveau message vocal 5 de "Hélène Dupont" <0612345678>',
            'dans la boîte 3001 de "Hélène Dupont" <0612345678>',
            "msg0004.wav",
            "audio/x-wav",
        ),
        (
            "asterisk-vm-sample-template-wav49.eml",
            "[PBX]: New message 4 in mailbox 4200",
            'in mailbox 4200 from "Jürgen Müller" <+4930123456>',
            "msg0003.WAV",
            "audio/x-wav",
        ),
        (
            "asterisk-vm-unknown-caller-urgent-gsm.eml",
            "[PBX]: New Urgent message 2 in mailbox 200",
            "in mailbox 200 from an unknown caller",
            "msg0001.gsm",
            "audio/x-gsm",
        ),
    ],
)
def test_asterisk_voicemail(name, subject, phrase, filename, content_type):
    parsed = parse_corpus(name)
    assert parsed.subject == subject
    assert phrase in parsed.text
    assert parsed.auto_reason == ""
    [audio] = parsed.attachments
    assert (audio.filename, audio.content_type, audio.inline) == (filename, content_type, False)
    if filename.lower().endswith(".wav"):
        assert audio.payload[:4] == b"RIFF"
    assert len(audio.payload) > 1000


def test_asterisk_voicemail_recipient_is_decoded():
    parsed = parse_corpus("asterisk-vm-unknown-caller-urgent-gsm.eml")
    assert parsed.to == ["jr.ewing@example.org"]
    assert parsed.from_address == "vm-noreply@callcenter.example.org"


# --- Automatic messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "enmime-dsn-dsn_with_multipart_alternative.eml",
        "flanker-bounce-delayed-broken.eml",
        "flanker-bounce-gmail-invalid-address.eml",
        "flanker-bounce-gmail-spam-mail.eml",
        "flanker-bounce-mailbox-full.eml",
        "flanker-bounce-office365.eml",
        "mikel-mail-report_422.eml",
        "parse-emails-ParseEmailFiles-test-emls.eml",
        "sisimai-lhost-domino-02.eml",
        "sisimai-lhost-exchange2007-06.eml",
        "sisimai-lhost-exchange2007-07.eml",
        "sisimai-lhost-exim-01.eml",
        "sisimai-lhost-gmail-01.eml",
        "sisimai-lhost-mailru-01.eml",
        "sisimai-lhost-notes-03.eml",
        "sisimai-lhost-office365-01.eml",
        "sisimai-lhost-qmail-01.eml",
        "sisimai-mac-lhost-exchange2007-01.eml",
    ],
)
def test_bounces_are_automatic(name):
    assert parse_corpus(name).auto_reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("flanker-bounce-mailbox-full.eml", "bounce (delivery status notification)"),
        ("flanker-complaints-aol.eml", "abuse report (ARF)"),
        ("flanker-disposition-notification.eml", "read receipt"),
        ("sisimai-rfc3834-01.eml", "auto-submitted: auto-replied"),
        ("sisimai-rfc3834-02.eml", "out-of-office subject"),  # X-Auto-Response-Suppress alone is not enough
        ("sisimai-rfc3834-03.eml", "out-of-office subject"),
        ("sisimai-rfc3834-04.eml", "out-of-office subject"),
        ("sisimai-rfc3834-05.eml", "auto-submitted: auto-replied"),
        ("sisimai-rfc3834-06.eml", "auto-submitted: auto-replied"),
        ("nodemailer-mailparser-large_text.eml", "precedence: bulk"),
    ],
)
def test_auto_reason(name, reason):
    assert parse_corpus(name).auto_reason == reason


@pytest.mark.parametrize(
    "name",
    [
        "talon-android.eml",
        "talon-apple_mail.eml",
        "talon-comcast.eml",
        "talon-gmail.eml",
        "talon-iphone.eml",
        "talon-outlook.eml",
        "talon-reply-quotations-share-block.eml",
        "talon-thunderbird.eml",
        "talon-yahoo.eml",
        "flanker-iphone.eml",
        "horde-activesync-iOSMultipartAlternative.eml",
        "spamscope-mail_test_3.eml",
        "django-helpdesk-all-special-chars.eml",
        "django-helpdesk-blank-body-with-attachment.eml",
        "django-helpdesk-forwarded-message.eml",
        "django-helpdesk-pgp.eml",
        "django-helpdesk-quoted_printable.eml",
        "django-helpdesk-utf-nondecodable.eml",
        "sisimai-not-is-not-bounce-02.eml",
        "mikel-mail-raw_email_reply.eml",
    ],
)
def test_human_mail_is_not_automatic(name):
    assert parse_corpus(name).auto_reason == ""


def test_human_reply_bodies():
    assert parse_corpus("talon-gmail.eml").text.startswith("Hello\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One")
    assert parse_corpus("talon-iphone.eml").text.startswith("Hello\n\nSent from my iPhone")
    android = parse_corpus("talon-android.eml")
    assert android.from_name == "Sergey Obykhov"
    assert "пользователь" in android.text


def test_invalid_utf8_in_declared_utf8_body_is_repaired_not_lost():
    parsed = parse_corpus("django-helpdesk-utf-nondecodable.eml")
    assert parsed.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    assert "Forwarded Message" in parsed.text


# --- Synthetic edge cases --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\r\n", b'{"object": "whatsapp_business_account"}', b"\x00\x01\x02" * 100]
)
def test_hopeless_input_raises_parse_error(raw):
    with pytest.raises(EmailParseError):
        parse_email(raw)


def test_str_input_is_refused_with_parse_error():
    with pytest.raises(EmailParseError):
        parse_email("Subject: hi\n\nbody")  # type: ignore[arg-type]


def test_headers_only_message():
    parsed = parse_email(b"From: Mario Rossi <Mario.Rossi@Comune.Example.it>\r\nSubject: Ciao")
    assert (parsed.from_name, parsed.from_address, parsed.subject, parsed.text) == (
        "Mario Rossi",
        "mario.rossi@comune.example.it",
        "Ciao",
        "",
    )


def test_attachment_names_cannot_escape_a_folder():
    raw = (
        b"From: a@example.com\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nbody\n"
        b'--b\nContent-Type: application/pdf; name="../../etc/passwd"\nContent-Disposition: attachment\n\nxx\n'
        b'--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="C:\\\\evil\\\\..\\\\a.exe"\n\nxx\n'
        b'--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=".."\n\nxx\n'
        b"--b--\n"
    )
    parsed = parse_email(raw)
    assert [a.filename for a in parsed.attachments] == ["passwd", "a.exe", "attachment-1.bin"]


def test_many_parts_and_deep_nesting_stay_fast():
    many = (
        b"Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n" + b"--b\nContent-Type: text/plain\n\nhi\n" * 20000
    )
    deep = b"Subject: y\nContent-Type: multipart/mixed; boundary=b0\n\n" + b"".join(
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (level, level + 1) for level in range(3000)
    )
    for raw in (many, deep):
        started = time.perf_counter()
        parsed = parse_email(raw)
        assert time.perf_counter() - started < 1.5
        assert parsed.defects


def test_out_of_office_subjects_in_several_languages():
    for subject in (
        "Risposta automatica: Richiesta certificato",
        "Réponse automatique : votre demande",
        "Respuesta automática: solicitud",
        "Abwesenheitsnotiz: Anfrage",
        "Out of Office: request",
        "Automatic reply: request",
    ):
        raw = f"From: a@example.com\nSubject: {subject}\nContent-Type: text/plain; charset=utf-8\n\nciao\n"
        assert parse_email(raw.encode()).auto_reason == "out-of-office subject", subject


def test_precedence_list_alone_and_auto_response_suppress_are_human():
    raw = b"From: a@example.com\nSubject: Re: domanda\nPrecedence: list\nX-Auto-Response-Suppress: All\n\nciao\n"
    assert parse_email(raw).auto_reason == ""


def test_auto_submitted_no_is_human():
    assert parse_email(b"From: a@example.com\nSubject: x\nAuto-Submitted: no\n\nciao\n").auto_reason == ""


def test_nul_bytes_and_crlf_are_cleaned_from_text():
    parsed = parse_email(b"From: a@example.com\r\nSubject: x\r\n\r\nuno\x00  \r\ndue\r\n\r\n")
    assert parsed.text == "uno\ndue"


# --- Ticket references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("IST-2026-0001234", "IST-2026-0001234"),
        ("[IST-2026-0001234] Richiesta certificato", "IST-2026-0001234"),
        ("Re: Fwd: R: [ist-2025-0000042] domanda", "IST-2025-0000042"),
        ("Re:IST-2026-0001234", "IST-2026-0001234"),
        ("Pratica IST-2026-0001234, IST-2026-0009999", "IST-2026-0001234"),
        ("IST-2026-000123", None),  # six digits
        ("IST-2026-00012345", None),  # eight digits
        ("XIST-2026-0001234", None),
        ("Richiesta senza riferimento", None),
        ("", None),
    ],
)
def test_extract_reference(subject, reference):
    assert extract_reference(subject) == reference


def test_internal_failure_falls_back_to_a_plain_reading(monkeypatch):
    from channels_app import email_parsing

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(email_parsing, "_parse_prepared", explode)
    parsed = parse_email(b"From: Anna <anna@example.com>\nSubject: Aiuto\n\nNon riesco a prenotare.\n")
    assert (parsed.subject, parsed.from_address, parsed.text) == (
        "Aiuto",
        "anna@example.com",
        "Non riesco a prenotare.",
    )
    assert any("boom" in defect for defect in parsed.defects)


@pytest.mark.parametrize("path", EMAIL_FILES[::5], ids=lambda path: path.name)
def test_damaged_corpus_messages_never_crash(path):
    """Truncated, bit-flipped, re-ended and shuffled copies raise nothing but EmailParseError."""
    rng = random.Random(path.name)
    original = path.read_bytes()
    damaged = [
        original[: rng.randrange(len(original) + 1)],
        original.replace(b"\n", b"\r"),
        b"\n".join(rng.sample(original.split(b"\n"), len(original.split(b"\n")))),
        bytes(byte if rng.random() > 0.01 else rng.randrange(256) for byte in original[:50_000]),
    ]
    for raw in damaged:
        try:
            parsed = parse_email(raw)
        except EmailParseError:
            continue
        assert isinstance(parsed.text, str) and not UNSAFE_TEXT.search(parsed.text)
        assert all(a.filename and "/" not in a.filename for a in parsed.attachments)
