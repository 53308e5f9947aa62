from django.core.management.base import BaseCommand
from django.db.models import Max

from privacy.services import anonymize_expired_citizens, expired_citizens


class Command(BaseCommand):
    help = "Anonymize citizens whose tickets all closed longer ago than their office's retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be anonymized.")
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, dry_run: bool, limit: int | None, **options):
        candidates = expired_citizens().annotate(last_closed=Max("tickets__closed_at"))
        if limit:
            candidates = candidates[:limit]
        if dry_run:
            count = 0
            for citizen in candidates.iterator():
                count += 1
                self.stdout.write(
                    f"citizen {citizen.pk}: {citizen.tickets.count()} ticket(s), last closed {citizen.last_closed:%Y-%m-%d}"
                )
            self.stdout.write(f"{count} citizen(s) would be anonymized (dry run, nothing changed).")
            return
        done = anonymize_expired_citizens(limit=limit)
        self.stdout.write(f"{done} citizen(s) anonymized.")
