"""IMAP polling: fetch UNSEEN messages by UID, store each raw, flag it \\Seen only after the commit.

A crash between the store and the flag leaves the message unseen: the next poll fetches it
again and store_email() recognises it (same Message-ID, same body), so nothing is duplicated.
Nothing is ever deleted or moved on the server.

Mailboxes come from the environment (settings.SPORTELLO_MAILBOXES), as URLs:
``imaps://user:password@imap.example.it:993/INBOX`` (TLS), ``imap+starttls://…`` or ``imap://…``
(plain, local tests only). Each mailbox says which channel its mail belongs to ("email", or
"voicemail" for the box the PBX mails recordings to).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache

from contactcenter.cache import CacheUnavailable, strict_cache

from .adapters.email import store_email
from .base import ChannelUnavailable

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 200


@dataclass(frozen=True)
class Mailbox:
    name: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    security: str = "tls"  # tls | starttls | plain
    folder: str = "INBOX"
    channel: str = "email"
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, channel: str = "email", name: str = "") -> Mailbox:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        security = {"imaps": "tls", "imap+ssl": "tls", "imap+tls": "tls", "imap+starttls": "starttls"}.get(
            scheme, "plain" if scheme == "imap" else ""
        )
        if not security or not parts.hostname:
            raise ValueError(f"not an IMAP URL: {scheme}://…")
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        user = unquote(parts.username or "")
        return cls(
            name=name or f"{user}@{parts.hostname}/{folder}",
            host=parts.hostname,
            port=parts.port or (993 if security == "tls" else 143),
            user=user,
            password=unquote(parts.password or ""),
            security=security,
            folder=folder,
            channel=channel,
        )


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def configured_mailboxes() -> list[Mailbox]:
    """SPORTELLO_MAILBOXES: a list of {"url": ..., "channel": "email"|"voicemail", "name": ...}."""
    mailboxes = []
    for entry in getattr(settings, "SPORTELLO_MAILBOXES", []) or []:
        if isinstance(entry, str):
            entry = {"url": entry}
        mailboxes.append(
            Mailbox.from_url(entry["url"], channel=entry.get("channel", "email"), name=entry.get("name", ""))
        )
    return mailboxes


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    try:
        if mailbox.security == "tls":
            client = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=mailbox.timeout
            )
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=mailbox.timeout)
            if mailbox.security == "starttls":
                client.starttls(ssl.create_default_context())
        client.login(mailbox.user, mailbox.password)
        status, _data = client.select(_quote(mailbox.folder))
        if status != "OK":
            raise ChannelUnavailable(f"{mailbox.name}: cannot open folder {mailbox.folder}")
        return client
    except (OSError, imaplib.IMAP4.error) as exc:  # TimeoutError is an OSError
        raise ChannelUnavailable(f"{mailbox.name}: {exc}") from exc


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internal_date(meta: bytes) -> str:
    """The server's receipt time (INTERNALDATE), ISO 8601; "" when absent."""
    try:
        parsed = imaplib.Internaldate2tuple(meta)  # local time, as a struct_time
    except (ValueError, OverflowError):
        return ""
    if parsed is None:
        return ""
    return datetime.fromtimestamp(time.mktime(parsed), tz=UTC).isoformat()


def _fetch(client: imaplib.IMAP4, uid: bytes) -> tuple[bytes | None, str]:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[] INTERNALDATE)")
    if status != "OK":
        return None, ""
    for part in data or ():
        if isinstance(part, tuple) and len(part) == 2:
            return part[1], _internal_date(part[0])
    return None, ""


def poll_mailbox(mailbox: Mailbox, *, batch: int = DEFAULT_BATCH, enqueue: bool = True) -> PollResult:
    """Store every unseen message of one mailbox; flag each \\Seen after its store committed.

    enqueue=False only stores (the sweeper or an operator processes them later).
    """
    result = PollResult(mailbox=mailbox.name)
    client = connect(mailbox)
    try:
        status, data = client.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise ChannelUnavailable(f"{mailbox.name}: SEARCH failed")
        uids = (data[0] or b"").split()[:batch]
        for uid in uids:
            try:
                raw, received = _fetch(client, uid)
            except (OSError, imaplib.IMAP4.abort) as exc:
                raise ChannelUnavailable(f"{mailbox.name}: {exc}") from exc
            except imaplib.IMAP4.error as exc:
                result.errors.append(f"UID {uid.decode()}: {exc}")
                continue
            if raw is None:
                result.errors.append(f"UID {uid.decode()}: not fetched")
                continue
            result.fetched += 1
            metadata = {"mailbox": mailbox.name, "uid": uid.decode()}
            if received:
                metadata["received_at"] = received
            # Commits before returning (autocommit); only then is the message flagged.
            _inbound, created = store_email(
                raw, channel=mailbox.channel, source=f"imap:{mailbox.name}", metadata=metadata, enqueue=enqueue
            )
            result.stored += int(created)
            result.duplicates += int(not created)
            client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    if result.fetched:
        logger.info(
            "mailbox %s: %s fetched, %s stored, %s already known",
            mailbox.name,
            result.fetched,
            result.stored,
            result.duplicates,
        )
    return result


def poll_all(*, batch: int = DEFAULT_BATCH) -> list[PollResult]:
    """Poll every configured mailbox; one unreachable mailbox does not stop the others."""
    results = []
    for mailbox in configured_mailboxes():
        lock = f"sportello:imap-poll:{mailbox.name}"
        try:
            if not strict_cache().add(lock, 1, timeout=300):
                continue  # the previous poll of this mailbox is still running
        except CacheUnavailable:
            # Polled without the lock: two polls at once store each message once (its unique key)
            # and flag it seen after the commit. Better than no mail while the cache is down.
            logger.warning("polling mailbox %s without its lock: the cache is unavailable", mailbox.name)
            lock = ""
        try:
            results.append(poll_mailbox(mailbox, batch=batch))
        except ChannelUnavailable as exc:
            logger.warning("mailbox %s unavailable: %s", mailbox.name, exc)
            results.append(PollResult(mailbox=mailbox.name, errors=[str(exc)]))
        finally:
            if lock:
                cache.delete(lock)
    return results
