"""The one small interface every channel adapter implements (STYLE §3)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from tickets.services import NewAttachment


class ChannelUnavailable(Exception):
    """The provider could not be reached; the caller retries later."""


class InvalidInput(Exception):
    """The raw input cannot be understood; it is quarantined with this message as reason."""


@dataclass
class InboundItem:
    """One thing a citizen sent, as plain data: no database, no network."""

    external_id: str
    text: str = ""
    html: str = ""
    subject: str = ""
    sender_name: str = ""
    email: str = ""
    phone: str = ""  # E.164 when known
    whatsapp_id: str = ""
    received_at: datetime | None = None
    attachments: list[NewAttachment] = field(default_factory=list)
    # Threading hints: a reference found in the subject/text, ids of messages this answers.
    reference: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    language: str = ""
    # Media to fetch in the worker before the ticket is written (WhatsApp media ids, recording URLs).
    media: list[dict] = field(default_factory=list)
    # When set, the item never opens a ticket nor gets an acknowledgement (auto-replies, bounces).
    ignore_reason: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class StatusUpdate:
    """A delivery receipt for something we sent (WhatsApp sent/delivered/read/failed)."""

    external_id: str
    status: str
    error: str = ""
    at: datetime | None = None


@dataclass
class ParseResult:
    items: list[InboundItem] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    ignored: str = ""  # the whole input is ignored, with this reason


@dataclass
class OutboundMessage:
    message_id: int
    to: str
    text: str
    subject: str = ""
    reference: str = ""
    language: str = "it"
    attachments: list[NewAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


class ChannelAdapter(ABC):
    channel: ClassVar[str]

    @abstractmethod
    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        """Bytes in, plain data out; no database, no network. Raise InvalidInput for hopeless input."""

    def fetch_media(self, item: InboundItem) -> None:  # noqa: B027 - optional for channels without media
        """Download what `item.media` points to into `item.attachments` (runs in the worker)."""

    def send(self, outbound: OutboundMessage) -> str:
        """Deliver a reply; return the provider's id; raise ChannelUnavailable to retry."""
        raise InvalidInput(f"channel {self.channel} cannot send replies")

    def sending_several(self) -> AbstractContextManager:
        """Hold, while it lasts, what several sends in a row can share (a mail server connection)."""
        return nullcontext()


def get_adapter(channel: str) -> ChannelAdapter:
    """The adapter configured for a channel: an explicit registry in settings, no import-time magic."""
    try:
        path = settings.SPORTELLO_CHANNEL_ADAPTERS[channel]
    except KeyError as exc:
        raise InvalidInput(f"no adapter configured for channel {channel!r}") from exc
    return import_string(path)()
