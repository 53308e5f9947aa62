"""WhatsApp Business Cloud API: webhook bodies in, Graph API messages out.

parse() turns one webhook POST (possibly a batch of entries, changes, messages and statuses)
into plain items; fetch_media() downloads images, documents and voice notes through the Graph
API in the worker; send() delivers replies, falling back to an approved template when the
24-hour customer-service window is closed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.services import NewAttachment

from .. import http_client
from ..attachment_policy import screen
from ..base import ChannelAdapter, ChannelUnavailable, InboundItem, InvalidInput, OutboundMessage, ParseResult
from ..base import StatusUpdate as Status
from ..numbers import to_e164

CHANNEL = "whatsapp"
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
# Meta allows free-form messages only this long after the citizen's last message.
SERVICE_WINDOW = timedelta(hours=24)
TEXT_LIMIT = 4096
STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}


class WhatsAppSendError(ValueError):
    """Meta refused the message (4xx): retrying will not help; the message is marked failed."""


# ----------------------------------------------------------------------------- parsing


def _timestamp(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _listed(value) -> list:
    """A list field as a list, whatever shape it arrived in (a lone object is one element)."""
    if isinstance(value, list):
        return value
    return [] if value in (None, "", {}) else [value]


def _error_text(errors) -> str:
    parts = []
    for error in _listed(errors):
        if not isinstance(error, dict):
            continue
        details = (
            (error.get("error_data") or {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
        )
        title = error.get("title") or error.get("message") or ""
        code = error.get("code")
        text = f"({code}) {title}" if code else title
        if details and details != title:
            text = f"{text}: {details}"
        parts.append(text.strip())
    return "; ".join(p for p in parts if p)


def _maps_link(lat, lon) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def _media_entry(kind: str, media: dict) -> dict:
    return {
        "id": str(media.get("id", "")),
        "mime_type": str(media.get("mime_type", "")),
        "filename": str(media.get("filename", "")),
        "sha256": str(media.get("sha256", "")),
        "kind": kind,
    }


def _describe(message: dict, item: InboundItem) -> str:
    """The text an operator reads for one WhatsApp message of any type; fills item.media/extra."""
    kind = message.get("type")
    if not isinstance(kind, str) or not kind:
        kind = "system" if "system" in message else "unknown"
    body = message.get(kind) if isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return str(body.get("body", ""))
    if kind in MEDIA_TYPES:
        if body.get("id"):
            item.media.append(_media_entry(kind, body))
        caption = str(body.get("caption", ""))
        if kind == "sticker":
            return caption or _("[Sticker]")
        if kind == "audio":
            return caption or (_("[Voice message]") if body.get("voice") else _("[Audio]"))
        if not body.get("id"):
            return "\n".join(filter(None, [caption, _("[%(kind)s without a media id]") % {"kind": kind}]))
        return caption
    if kind == "location":
        lat, lon = body.get("latitude"), body.get("longitude")
        lines = [line for line in (body.get("name"), body.get("address")) if line]
        lines.append(_("Location: %(lat)s, %(lon)s") % {"lat": lat, "lon": lon})
        if lat is not None and lon is not None:
            lines.append(_maps_link(lat, lon))
        if body.get("url"):
            lines.append(str(body["url"]))
        return "\n".join(str(line) for line in lines)
    if kind == "contacts":
        cards = message.get("contacts") if isinstance(message.get("contacts"), list) else []
        lines = [_("Shared contacts:")]
        for card in cards:
            name = (card.get("name") or {}).get("formatted_name") or " ".join(
                filter(None, [(card.get("name") or {}).get("first_name"), (card.get("name") or {}).get("last_name")])
            )
            phones = ", ".join(
                f"{p.get('phone') or p.get('wa_id')}" + (f" ({p['type']})" if p.get("type") else "")
                for p in card.get("phones") or []
            )
            emails = ", ".join(e.get("email", "") for e in card.get("emails") or [] if e.get("email"))
            lines.append(" — ".join(part for part in (name or "?", phones, emails) if part))
        return "\n".join(lines)
    if kind == "interactive":
        reply_type = str(body.get("type", ""))
        reply = body.get(reply_type) if isinstance(body.get(reply_type), dict) else {}
        if reply_type in ("button_reply", "list_reply"):
            item.extra["interactive_id"] = str(reply.get("id", ""))
            text = str(reply.get("title", ""))
            if reply.get("description"):
                text = f"{text} — {reply['description']}"
            return text or _("[Choice without a title]")
        if reply_type == "nfm_reply":
            text = str(reply.get("body", "")) or _("[Form completed]")
            try:
                answers = json.loads(reply.get("response_json") or "{}")
            except ValueError:
                answers = {"response_json": reply.get("response_json")}
            if isinstance(answers, dict):
                lines = [f"{k}: {v}" for k, v in answers.items() if k != "flow_token"]
                text = "\n".join([text, *lines])
            return text
        return _("[Interactive message (%(type)s) received]") % {"type": reply_type or "—"}
    if kind == "button":
        item.extra["interactive_id"] = str(body.get("payload", ""))
        return str(body.get("text", "")) or str(body.get("payload", "")) or _("[Button pressed]")
    if kind == "reaction":
        emoji = body.get("emoji")
        if body.get("message_id"):
            item.in_reply_to.append(str(body["message_id"]))
        if not emoji:
            item.ignore_reason = "reaction removed"
            return _("[Reaction removed]")
        return _("[Reaction %(emoji)s to an earlier message]") % {"emoji": emoji}
    if kind == "order":
        lines = [_("Order from the catalogue:")]
        for product in body.get("product_items") or []:
            lines.append(
                f"- {product.get('product_retailer_id')} × {product.get('quantity')}"
                f" ({product.get('item_price')} {product.get('currency', '')})"
            )
        if body.get("text"):
            lines.append(str(body["text"]))
        return "\n".join(lines)
    if kind == "system":
        system = message.get("system") if isinstance(message.get("system"), dict) else {}
        if system.get("wa_id"):
            item.extra["new_whatsapp_id"] = str(system["wa_id"])
        return "[WhatsApp: %s]" % (system.get("body") or system.get("type") or _("system message"))
    if kind == "revoke":
        original = body.get("original_message_id", "")
        if original:
            item.in_reply_to.append(str(original))
        return _("[The citizen deleted a message on WhatsApp (%(id)s); the copy received here is kept]") % {
            "id": original
        }
    if kind == "edit":
        original = body.get("original_message_id", "")
        if original:
            item.in_reply_to.append(str(original))
        inner = body.get("message") if isinstance(body.get("message"), dict) else {}
        return _("[Edited message]") + " " + _describe(inner, item)
    if kind == "request_welcome":
        item.ignore_reason = "the citizen opened the chat for the first time (request_welcome)"
        return _("[The citizen opened the WhatsApp chat]")
    if kind in ("unsupported", "unknown", "ephemeral"):
        original = body.get("type") or ""
        errors = _error_text(message.get("errors"))
        what = f" ({original})" if original else ""
        return _(
            "[A WhatsApp message%(what)s was received that WhatsApp does not deliver to businesses. %(errors)s]"
        ) % {"what": what, "errors": errors}
    # Anything Meta adds later: never lost, shown as what it is.
    snippet = json.dumps(body or message, ensure_ascii=False)[:500]
    return _("[A WhatsApp message of type “%(kind)s” was received; it cannot be shown here: %(data)s]") % {
        "kind": kind,
        "data": snippet,
    }


def _item_for(message: dict, contacts: dict[str, dict]) -> InboundItem:
    wa_id = str(message.get("from") or message.get("from_user_id") or "")
    contact = contacts.get(wa_id) or (next(iter(contacts.values())) if len(contacts) == 1 else {})
    if not wa_id:
        wa_id = str(contact.get("wa_id") or contact.get("user_id") or "")
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    item = InboundItem(
        external_id=str(message.get("id") or ""),
        sender_name=str(profile.get("name") or "")[:150],
        whatsapp_id=wa_id[:32],
        phone=to_e164("+" + wa_id) if wa_id.isdigit() else "",
        received_at=_timestamp(message.get("timestamp")),
    )
    if not item.external_id:
        raise InvalidInput("WhatsApp message without id")
    if not item.whatsapp_id:
        raise InvalidInput(f"WhatsApp message {item.external_id} without sender")
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    text = _describe(message, item)
    if context.get("id") and str(context["id"]) != item.external_id:
        item.in_reply_to.append(str(context["id"])[:255])
    if context.get("forwarded") or context.get("frequently_forwarded"):
        text = (_("[Forwarded many times]") if context.get("frequently_forwarded") else _("[Forwarded]")) + " " + text
    referral = message.get("referral") if isinstance(message.get("referral"), dict) else {}
    if referral:
        ad = f"{referral.get('headline', '')} {referral.get('source_url', '')}".strip()
        text += "\n" + _("[Arrived from an ad: %(ad)s]") % {"ad": ad}
    if not text.strip() and not item.media:
        text = _("[Empty WhatsApp message]")  # still a message: the ticket must show what arrived
    item.text = text
    item.extra["whatsapp_type"] = str(message.get("type", ""))[:50]
    return item


def _malformed_item(message, contacts: dict[str, dict], reason: str) -> InboundItem:
    dump = json.dumps(message, ensure_ascii=False, sort_keys=True)
    wa_id = ""
    if isinstance(message, dict):
        wa_id = str(message.get("from") or "")
    if not wa_id and len(contacts) == 1:
        wa_id = next(iter(contacts))
    return InboundItem(
        external_id="malformed:" + hashlib.sha256(dump.encode()).hexdigest()[:40],
        whatsapp_id=wa_id[:32],
        phone=to_e164("+" + wa_id) if wa_id.isdigit() else "",
        text=_("[A WhatsApp message that could not be read (%(why)s): %(data)s]")
        % {"why": reason, "data": dump[:1000]},
    )


def parse_webhook(raw: bytes) -> ParseResult:
    """Every message and receipt of one webhook POST; InvalidInput (quarantine) when unreadable."""
    try:
        return _parse_webhook(raw)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise InvalidInput(f"WhatsApp webhook body has an unexpected structure: {type(exc).__name__}: {exc}") from exc


def _parse_webhook(raw: bytes) -> ParseResult:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"WhatsApp webhook body is not JSON: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise InvalidInput("WhatsApp webhook body has no entry[] list")
    if body.get("object") not in (None, "whatsapp_business_account"):
        return ParseResult(ignored=f"object {body.get('object')!r} is not a WhatsApp business account")
    result = ParseResult()
    ignored = []
    broken: list[tuple[object, dict, str]] = []
    for entry in body["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("changes", []), list):
            raise InvalidInput("WhatsApp webhook entry is malformed")
        for change in entry.get("changes", []):
            field = change.get("field") if isinstance(change, dict) else None
            value = change.get("value") if isinstance(change, dict) else None
            if field != "messages":
                ignored.append(f"field {field}")
                continue
            if not isinstance(value, dict):
                raise InvalidInput("WhatsApp 'messages' change without a value object")
            contacts = {
                str(c.get("wa_id") or c.get("user_id") or ""): c
                for c in _listed(value.get("contacts"))
                if isinstance(c, dict)
            }
            for message in _listed(value.get("messages")):
                try:
                    if not isinstance(message, dict):
                        raise InvalidInput("WhatsApp message is not an object")
                    result.items.append(_item_for(message, contacts))
                except (InvalidInput, TypeError, AttributeError, ValueError, KeyError) as exc:
                    # A field of an unexpected shape: this message is kept as-is, readable, not lost.
                    broken.append((message, contacts, str(exc) or type(exc).__name__))
            for status in _listed(value.get("statuses")):
                if not isinstance(status, dict) or not status.get("id"):
                    continue  # a receipt for nothing we can name: nothing to update
                mapped = STATUS_MAP.get(str(status.get("status", "")).lower())
                if mapped is None:
                    continue  # e.g. "deleted", "warning": nothing to show on our messages
                result.statuses.append(
                    Status(
                        external_id=str(status["id"]),
                        status=mapped,
                        error=_error_text(status.get("errors")),
                        at=_timestamp(status.get("timestamp")),
                    )
                )
            if value.get("errors") and not value.get("messages") and not value.get("statuses"):
                ignored.append("errors notification: " + _error_text(value.get("errors")))
    if broken:
        if not result.items and not result.statuses:
            raise InvalidInput("; ".join(reason for _m, _c, reason in broken))
        # One bad message must not hold back the rest of the batch: keep it, readable, for an operator.
        result.items.extend(_malformed_item(message, contacts, reason) for message, contacts, reason in broken)
    if not result.items and not result.statuses:
        result.ignored = ("not a message: " + ", ".join(ignored)) if ignored else "no messages or statuses"
    return result


# ----------------------------------------------------------------------------- Graph API


def _graph_url(path: str) -> str:
    return f"{settings.WHATSAPP_GRAPH_URL.rstrip('/')}/{path.lstrip('/')}"


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}


def _graph_error(response: http_client.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return f"HTTP {response.status_code}"
    details = (error.get("error_data") or {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
    text = f"HTTP {response.status_code} ({error.get('code', '?')}) {error.get('message', '')}".strip()
    return f"{text}: {details}" if details else text


def _request(method: str, url: str, **kwargs) -> http_client.Response:
    """One Graph API call (kwargs: json, or fields for multipart); 5xx and 429 mean try again later."""
    try:
        response = http_client.request(
            method, url, headers=_headers(), timeout=settings.WHATSAPP_HTTP_TIMEOUT, **kwargs
        )  # fmt: skip
    except http_client.Unreachable as exc:  # timeouts, refused connections, TLS: try again later
        raise ChannelUnavailable(f"WhatsApp Graph API unreachable: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelUnavailable(f"WhatsApp Graph API answered {_graph_error(response)}")
    return response


def _checksum_matches(expected: str, payload: bytes) -> bool:
    if not expected:
        return True
    digest = hashlib.sha256(payload).digest()
    if len(expected) == 64 and all(c in "0123456789abcdefABCDEF" for c in expected):
        return expected.lower() == digest.hex()
    try:
        decoded = base64.b64decode(expected, validate=True)
    except (binascii.Error, ValueError):
        return True  # not a checksum we can read: do not refuse the file for it
    return len(decoded) != 32 or decoded == digest


def download_media(media_id: str) -> tuple[bytes, str]:
    """(bytes, content type) of a media id; ValueError when Meta does not know it (permanent)."""
    response = _request("GET", _graph_url(media_id))
    if response.status_code != 200:
        raise ValueError(_graph_error(response))
    info = response.json()
    limit = settings.SPORTELLO_MAX_ATTACHMENT_BYTES
    if int(info.get("file_size") or 0) > limit:
        raise ValueError(f"the file is larger than {limit} bytes")
    download = _request("GET", info["url"])
    if download.status_code != 200:
        raise ValueError(f"download answered HTTP {download.status_code}")
    payload = download.content
    if not _checksum_matches(str(info.get("sha256", "")), payload):
        raise ValueError("the downloaded file does not match its SHA-256 checksum")
    content_type = info.get("mime_type") or download.headers.get("Content-Type", "application/octet-stream")
    return payload, content_type


# ----------------------------------------------------------------------------- the adapter


class WhatsAppAdapter(ChannelAdapter):
    channel = CHANNEL

    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        return parse_webhook(raw)

    def fetch_media(self, item: InboundItem) -> None:
        notes: list[str] = []
        downloaded: list[NewAttachment] = []
        for number, media in enumerate(item.media, start=1):
            try:
                payload, content_type = download_media(media["id"])
            except ValueError as exc:  # unknown or expired media id: keep the message, say what is missing
                notes.append(
                    _("[%(kind)s %(id)s: media could not be downloaded: %(why)s]")
                    % {"kind": media.get("kind", "media"), "id": media["id"], "why": exc}
                )
                continue
            content_type = content_type.split(";")[0].strip() or media.get("mime_type", "").split(";")[0]
            filename = media.get("filename") or (
                f"whatsapp-{media.get('kind', 'media')}-{number}" + (mimetypes.guess_extension(content_type) or ".bin")
            )
            downloaded.append(NewAttachment(filename=filename, content_type=content_type, payload=payload))
        # The same screening as e-mail: no program reaches an operator's PC dressed as a document.
        screened = screen(downloaded)
        item.attachments.extend(screened.accepted)
        notes.extend(screened.notes)
        item.extra.setdefault("notices", []).extend(screened.notices)
        if notes:
            item.text = "\n".join([item.text, *notes]).strip()
        item.media = []

    # ------------------------------------------------------------------------- sending

    def _post_message(self, payload: dict) -> str:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        response = _request("POST", _graph_url(f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"), json=payload)
        if response.status_code >= 400:
            raise WhatsAppSendError(f"WhatsApp refused the message: {_graph_error(response)}")
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise WhatsAppSendError(f"unexpected answer from WhatsApp: {response.text[:200]}") from exc

    def _upload(self, attachment: NewAttachment) -> str:
        response = _request(
            "POST",
            _graph_url(f"{settings.WHATSAPP_PHONE_NUMBER_ID}/media"),
            fields={
                "messaging_product": "whatsapp",
                "type": attachment.content_type,
                "file": (attachment.filename, attachment.payload, attachment.content_type),
            },
        )
        if response.status_code >= 400:
            raise WhatsAppSendError(f"WhatsApp refused the file {attachment.filename}: {_graph_error(response)}")
        return str(response.json()["id"])

    def window_open(self, outbound: OutboundMessage) -> bool:
        """Whether the citizen wrote on WhatsApp in the last 24 hours (free-form replies allowed)."""
        if "window_open" in outbound.extra:
            return bool(outbound.extra["window_open"])
        from tickets.models import Message

        message = Message.objects.select_related("ticket").filter(pk=outbound.message_id).first()
        if message is None:
            return False
        last = (
            Message.objects.filter(
                ticket__citizen_id=message.ticket.citizen_id,
                direction=Message.Direction.INBOUND,
                channel=CHANNEL,
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        return last is not None and timezone.now() - last < SERVICE_WINDOW

    def send(self, outbound: OutboundMessage) -> str:
        if not (settings.WHATSAPP_ACCESS_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID):
            # Not a passing outage: retrying cannot help until someone configures the channel.
            raise WhatsAppSendError("WhatsApp is not configured (WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID)")
        to = outbound.to.strip()
        if re.fullmatch(r"[+\d\s().-]+", to):  # a phone number: Graph wants the digits only
            to = re.sub(r"\D", "", to)
        if not to:
            raise WhatsAppSendError("the citizen has no WhatsApp number")
        if not self.window_open(outbound):
            language = (outbound.language or "it").split("-")[0]
            return self._post_message(
                {
                    "to": to,
                    "type": "template",
                    "template": {
                        "name": settings.WHATSAPP_REPLY_TEMPLATE,
                        "language": {"code": language},
                        "components": [
                            {"type": "body", "parameters": [{"type": "text", "text": outbound.reference or "-"}]}
                        ],
                    },
                }
            )
        first_id = ""
        if outbound.extra.get("interactive"):
            first_id = self._post_message(
                {"to": to, "type": "interactive", "interactive": outbound.extra["interactive"]}
            )
        elif outbound.text:
            text = outbound.text
            for start in range(0, len(text), TEXT_LIMIT):
                wamid = self._post_message(
                    {
                        "to": to,
                        "type": "text",
                        "text": {"preview_url": False, "body": text[start : start + TEXT_LIMIT]},
                    }
                )
                first_id = first_id or wamid
        for attachment in outbound.attachments:
            media_id = self._upload(attachment)
            kind = attachment.content_type.split("/")[0]
            if kind == "image" and attachment.content_type in ("image/jpeg", "image/png"):
                payload = {"type": "image", "image": {"id": media_id}}
            elif kind == "audio":
                payload = {"type": "audio", "audio": {"id": media_id}}
            elif kind == "video":
                payload = {"type": "video", "video": {"id": media_id}}
            else:
                payload = {"type": "document", "document": {"id": media_id, "filename": attachment.filename}}
            wamid = self._post_message({"to": to, **payload})
            first_id = first_id or wamid
        if not first_id:
            raise WhatsAppSendError("nothing to send: the reply is empty")
        return first_id
