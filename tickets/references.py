"""Public references IST-2026-0001234, unique and allocated without a global lock.

On PostgreSQL every year has its own SEQUENCE: nextval never blocks a concurrent
transaction (a rolled-back ticket leaves a gap, which a public reference may have).
SQLite has no sequences; its single writer makes a counter row just as safe.
"""

import logging
import re

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from .models import TicketSequence

logger = logging.getLogger(__name__)
REFERENCE_RE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{7,}$")


def sequence_name(year: int) -> str:
    return f"tickets_reference_{int(year)}_seq"


def format_reference(year: int, number: int) -> str:
    return f"{settings.SPORTELLO_REFERENCE_PREFIX}-{year}-{number:07d}"


def ensure_sequence(year: int, cursor) -> None:
    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence_name(year)}")


def _next_numbers(year: int, count: int = 1) -> list[int]:
    """`count` new numbers for `year`, in one statement."""
    if connection.vendor == "postgresql":
        name = sequence_name(year)
        with connection.cursor() as cursor:
            # One round trip: NULLs (instead of an error) while the year has no sequence.
            cursor.execute(
                "SELECT CASE WHEN to_regclass(%s) IS NULL THEN NULL ELSE nextval(%s::text::regclass) END "
                "FROM generate_series(1, %s)",
                [name, name, count],
            )
            numbers = [row[0] for row in cursor.fetchall()]
            if numbers[0] is not None:
                return sorted(numbers)
            # Two first tickets of a new year may race to create it: retry once.
            try:
                with transaction.atomic():
                    ensure_sequence(year, cursor)
            except DatabaseError:
                logger.info("sequence for %s created concurrently", year)
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
            return sorted(row[0] for row in cursor.fetchall())
    with transaction.atomic():
        TicketSequence.objects.get_or_create(year=year)
        TicketSequence.objects.filter(year=year).update(last=F("last") + count)
        last = TicketSequence.objects.values_list("last", flat=True).get(year=year)
        return list(range(last - count + 1, last + 1))


def last_issued_number(year: int) -> int:
    """The highest number handed out for `year`, by the counter or already present in the table.

    Both count: a sequence is not rolled back with a transaction, and rows may have been
    written with explicit numbers by a bulk load.
    """
    from .models import Ticket

    prefix = f"{settings.SPORTELLO_REFERENCE_PREFIX}-{int(year)}-"
    highest = (
        Ticket.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True)
    ).first()
    in_table = int(highest.rsplit("-", 1)[1]) if highest else 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [sequence_name(year)])
            if cursor.fetchone()[0] is None:
                return in_table
            cursor.execute(f"SELECT last_value, is_called FROM {sequence_name(year)}")  # noqa: S608 - int year only
            last_value, is_called = cursor.fetchone()
            return max(in_table, last_value if is_called else last_value - 1)
    counter = TicketSequence.objects.filter(year=year).values_list("last", flat=True).first() or 0
    return max(in_table, counter)


def allocate_reference(year: int) -> str:
    return format_reference(year, _next_numbers(year)[0])


def allocate_references(years: list[int]) -> list[str]:
    """A reference for each year given, in order; one statement per distinct year."""
    numbers = {year: iter(_next_numbers(year, years.count(year))) for year in dict.fromkeys(years)}
    return [format_reference(year, next(numbers[year])) for year in years]


def advance_sequence(year: int, last_number: int) -> None:
    """After a bulk load that wrote references itself, continue after `last_number`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            ensure_sequence(year, cursor)
            cursor.execute(
                f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {sequence_name(year)})))",  # noqa: S608
                [sequence_name(year), last_number],
            )
        return
    counter, _created = TicketSequence.objects.get_or_create(year=year)
    if counter.last < last_number:
        TicketSequence.objects.filter(year=year).update(last=last_number)
