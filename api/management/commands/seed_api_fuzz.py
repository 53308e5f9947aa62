"""A small, complete data set for fuzzing the API; prints a write-scoped token key on stdout."""

from datetime import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from api.models import ApiToken
from operators.models import Operator, Role
from tickets import services
from tickets.models import Office, OfficeHours, Queue, Tier


class Command(BaseCommand):
    help = "Seed a few offices, queues, citizens and tickets and print a write-scoped API token."

    def handle(self, *args, **options):
        office, _created = Office.objects.get_or_create(code="fuzz", defaults={"name": "Ufficio fuzz"})
        for weekday in range(5):
            OfficeHours.objects.get_or_create(office=office, weekday=weekday, opens=time(9), closes=time(17))
        front, _c = Queue.objects.get_or_create(
            office=office, name="Front", defaults={"tier": Tier.FRONT, "is_default": True}
        )
        back, _c = Queue.objects.get_or_create(
            office=office, name="Back", defaults={"tier": Tier.BACK, "is_default": True}
        )
        user, _c = get_user_model().objects.get_or_create(username="fuzz", defaults={"first_name": "Fuzz"})
        operator, _c = Operator.objects.get_or_create(user=user, defaults={"role": Role.SUPERVISOR, "office": office})
        operator.queues.set([front, back])
        for n in range(5):
            citizen = services.find_or_create_citizen(
                email=f"fuzz{n}@example.org", phone=f"+39333000000{n}", first_name="Ada", last_name=f"Fuzz{n}"
            )
            ticket = services.open_ticket(
                citizen=citizen,
                channel="email",
                subject=f"Richiesta {n}",
                text="Testo",
                queue=front,
                attachments=[services.NewAttachment("a.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
            )
            if n % 2:
                services.take_ticket(actor=user, ticket_id=ticket.pk)
        _token, key = ApiToken.issue(name="fuzz", user=user, scope=ApiToken.Scope.WRITE)
        self.stdout.write(key)
