"""CTI call events (generic push API spoken by PBX connectors): parsed here, applied by calls.py.

The endpoint applies each event to the call log synchronously (the caller pop-up must be
instant), so the pipeline never needs to turn a call event into a ticket: if a stored event
reaches the worker (a retry from the admin), parsing validates it and it is marked ignored.
"""

from __future__ import annotations

from ..base import ChannelAdapter, ParseResult
from ..calls import parse_call_event


class CtiAdapter(ChannelAdapter):
    channel = "phone"

    def parse(self, raw: bytes, metadata: dict) -> ParseResult:
        event = parse_call_event(raw, metadata.get("content_type", ""))
        return ParseResult(ignored=f"call event {event.event} of call {event.call_id}: kept in the call log")
