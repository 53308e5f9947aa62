"""Whatever a webhook sender posts, the parsers answer with data or InvalidInput (quarantine), never a crash."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from channels_app.adapters.twilio import parse_twilio_recording
from channels_app.adapters.whatsapp import parse_webhook
from channels_app.base import InvalidInput, ParseResult
from channels_app.calls import parse_call_event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
message_keys = st.sampled_from(
    ["from", "id", "timestamp", "type", "text", "image", "context", "interactive", "reaction", "system", "errors"]
)
messages = st.dictionaries(message_keys, json_values, max_size=8)
bodies = st.fixed_dictionaries(
    {
        "object": st.just("whatsapp_business_account"),
        "entry": st.lists(
            st.fixed_dictionaries(
                {
                    "changes": st.lists(
                        st.fixed_dictionaries(
                            {
                                "field": st.sampled_from(["messages", "calls", "x"]),
                                "value": st.fixed_dictionaries(
                                    {},
                                    optional={
                                        "contacts": st.lists(json_values, max_size=2),
                                        "messages": st.lists(messages | json_values, max_size=3),
                                        "statuses": st.lists(json_values, max_size=3),
                                    },
                                ),
                            }
                        ),
                        max_size=3,
                    )
                }
            ),
            max_size=3,
        ),
    }
)


def _parses_or_quarantines(call) -> None:
    try:
        result = call()
    except InvalidInput:
        return
    assert isinstance(result, ParseResult)
    for item in result.items:
        assert item.external_id
        assert item.text.strip() or item.media


@settings(max_examples=150, deadline=None)
@given(bodies)
def test_whatsapp_parser_never_crashes_on_odd_structures(body):
    _parses_or_quarantines(lambda: parse_webhook(json.dumps(body).encode()))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_whatsapp_parser_never_crashes_on_any_bytes(raw):
    _parses_or_quarantines(lambda: parse_webhook(raw))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "RecordingSid",
                "CallSid",
                "From",
                "RecordingStatus",
                "TranscriptionText",
                "RecordingDuration",
                "RecordingUrl",
            ]
        ),
        st.text(max_size=30),
        max_size=7,
    )
)
def test_twilio_parser_never_crashes(fields):
    from urllib.parse import urlencode

    _parses_or_quarantines(lambda: parse_twilio_recording(urlencode(fields).encode(), {"source": "twilio"}))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_cti_parser_never_crashes(raw):
    try:
        parse_call_event(raw, "application/json")
        parse_call_event(raw, "application/x-www-form-urlencoded")
    except InvalidInput:
        pass
