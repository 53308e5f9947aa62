"""Row ids read from a query string or a form, where any text can arrive."""

from __future__ import annotations

# PostgreSQL's bigint and SQLite's INTEGER: a larger number names no row, and the drivers refuse it
# (SQLite raises OverflowError) instead of finding nothing.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id written in `value`, or None when it is not one.

    Not `int(v) if v.isdigit()`: str.isdigit() accepts "²" and 5,000 digits, which int() refuses
    (a 500). Plain ASCII digits, at most 19 of them, from 1 to MAX_ID.
    """
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
