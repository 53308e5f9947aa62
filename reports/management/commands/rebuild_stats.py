import time

from django.core.management.base import BaseCommand

from reports.aggregates import local_today, rebuild_stats, refresh_stats


class Command(BaseCommand):
    help = "Recompute the dashboard aggregates from the tickets (all days, or the last N days with --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=0, help="only the last N local days (0 = everything)")

    def handle(self, *args, days: int = 0, **options):
        started = time.monotonic()
        if days:
            from datetime import timedelta

            today = local_today()
            rows = refresh_stats(today - timedelta(days=days - 1), today)
        else:
            rows = rebuild_stats()
        self.stdout.write(f"{rows} aggregate rows written in {time.monotonic() - started:.1f} s")
