import random
import time

from django.core.management.base import BaseCommand, CommandError

from tickets.demo import base, bulk


class Command(BaseCommand):
    help = "Load the demo office (operators, queues, requests in four languages); optionally bulk volumes."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=0, help="also generate this many requests in bulk")
        parser.add_argument("--citizens", type=int, default=0, help="citizens for the bulk requests")
        parser.add_argument("--days", type=int, default=365, help="spread bulk requests over this many days")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, tickets: int, citizens: int, days: int, seed: int, **options):
        if tickets < 0 or citizens < 0:
            raise CommandError("--tickets and --citizens must be positive")
        started = time.monotonic()
        if base.is_seeded():
            self.stdout.write("Demo office already present: not seeding it again.")
        else:
            base.create_base(self.stdout)
            base.create_demo_requests(self.stdout)
        try:
            from faq.demo import seed_faq  # the portal's content, when that app provides it
        except ImportError:
            seed_faq = None
        if seed_faq is not None:
            seed_faq(self.stdout)
        if tickets:
            rng = random.Random(seed)
            citizens = citizens or max(1, tickets // 3)
            self.stdout.write(f"Generating {citizens:,} citizens and {tickets:,} requests…")
            citizen_range = bulk.seed_citizens(citizens, self.stdout, rng)
            bulk.seed_tickets(tickets, citizen_range, self.stdout, rng, days=days)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f}s."))
