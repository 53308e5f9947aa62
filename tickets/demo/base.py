"""The demo office: offices, queues, operators of every role and a few lively requests."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operators.models import Operator, Role
from operators.roles import create_operator
from tickets import services
from tickets.models import Channel, Citizen, Office, OfficeHours, Queue, Ticket, Tier, Topic

from .content import FIRST_NAMES, LANGUAGE_BY_COUNTRY, LAST_NAMES, REPLIES, REQUESTS

DEMO_PASSWORD = "sportello-demo"  # noqa: S105 - printed on the console for the demo, never used in production
OPERATORS = [
    # username, first, last, role, office code, languages
    ("admin", "Amministratore", "Sportello", Role.ADMINISTRATOR, "questura-roma", ["it", "en"]),
    ("supervisore", "Paola", "Conti", Role.SUPERVISOR, "questura-roma", ["it", "en", "fr"]),
    ("front1", "Giorgio", "Neri", Role.FRONT_OFFICE, "questura-roma", ["it", "en", "fr", "es"]),
    ("front2", "Amina", "Diallo", Role.FRONT_OFFICE, "questura-roma", ["it", "fr", "en"]),
    ("front3", "Lucía", "Moreno", Role.FRONT_OFFICE, "questura-roma", ["it", "es", "en"]),
    ("back1", "Avv. Marta", "Ferri", Role.BACK_OFFICE, "questura-roma", ["it", "en"]),
    ("back2", "Dott. Paolo", "Serra", Role.BACK_OFFICE, "questura-roma", ["it", "fr"]),
    ("ticino1", "Nicola", "Pedrazzini", Role.FRONT_OFFICE, "sportello-ticino", ["it", "fr"]),
]


def is_seeded() -> bool:
    return Office.objects.filter(code="questura-roma").exists()


@transaction.atomic
def create_base(stdout) -> None:
    roma = Office.objects.create(
        code="questura-roma",
        name="Ufficio Immigrazione — Questura di Roma",
        name_it="Ufficio Immigrazione — Questura di Roma",
        name_en="Immigration Office — Rome Police Headquarters",
        name_fr="Bureau de l'immigration — Préfecture de police de Rome",
        name_es="Oficina de Inmigración — Jefatura de Policía de Roma",
        address="Via Teofilo Patini 23",
        city="Roma",
        holiday_country="IT",
        toll_free_number="+39800123456",
        phone_number="+390646861",
        voip_id="sportello.questura.roma",
        whatsapp_number="+393331234567",
        email="sportello@questura-roma.example.it",
        fax_number="+390646869999",
    )
    ticino = Office.objects.create(
        code="sportello-ticino",
        name="Sportello migranti — Bellinzona",
        name_it="Sportello migranti — Bellinzona",
        name_en="Migrants desk — Bellinzona",
        name_fr="Guichet migrants — Bellinzone",
        name_es="Ventanilla de migrantes — Bellinzona",
        address="Viale Stazione 10",
        city="Bellinzona",
        holiday_country="CH",
        holiday_subdivision="TI",
        phone_number="+41918143111",
        email="migranti@ti.example.ch",
        timezone="Europe/Zurich",
    )
    for weekday in range(5):
        OfficeHours.objects.create(office=roma, weekday=weekday, opens=time(9), closes=time(13))
        OfficeHours.objects.create(office=roma, weekday=weekday, opens=time(14), closes=time(17, 30))
        OfficeHours.objects.create(office=ticino, weekday=weekday, opens=time(8), closes=time(12))
        OfficeHours.objects.create(office=ticino, weekday=weekday, opens=time(13, 30), closes=time(17))
    OfficeHours.objects.create(office=roma, weekday=5, opens=time(9), closes=time(12))
    queues = {}
    for office in (roma, ticino):
        queues[office.code, Tier.FRONT] = Queue.objects.create(
            office=office,
            name="Front office",
            tier=Tier.FRONT,
            first_response_hours=4,
            resolution_hours=24,
            alarm_minutes=30,
            is_default=True,
        )
        queues[office.code, Tier.BACK] = Queue.objects.create(
            office=office,
            name="Back office — esperti",
            tier=Tier.BACK,
            first_response_hours=8,
            resolution_hours=80,
            alarm_minutes=240,
            is_default=True,
        )
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, first, last, role, office_code, languages in OPERATORS:
        office = roma if office_code == roma.code else ticino
        operator = create_operator(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@sportello.example.it",
            role=role,
            superuser=role == Role.ADMINISTRATOR,
            office=office,
            languages=languages,
            presence=Operator.Presence.AVAILABLE,
            extension=username,
        )
        if role == Role.BACK_OFFICE:
            operator.queues.set([queues[office.code, Tier.BACK]])
        elif role == Role.FRONT_OFFICE:
            operator.queues.set([queues[office.code, Tier.FRONT]])
        else:
            operator.queues.set(Queue.objects.all())
        stdout.write(f"  {username:<12} {Role(role).label}")


def create_demo_requests(stdout, count: int = 60, seed: int = 2026) -> None:
    """Requests from every channel in four languages, walked through the real services."""
    rng = random.Random(seed)
    User = get_user_model()
    front = list(User.objects.filter(operator__role=Role.FRONT_OFFICE, operator__office__code="questura-roma"))
    back = list(User.objects.filter(operator__role=Role.BACK_OFFICE))
    topics = {t.slug: t for t in Topic.objects.all()}
    roma = Office.objects.get(code="questura-roma")
    countries = list(FIRST_NAMES)
    channels = list(Channel.values)
    now = timezone.now()
    for index in range(count):
        country = countries[index % len(countries)]
        language = LANGUAGE_BY_COUNTRY[country]
        first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
        channel = channels[index % len(channels)]
        slug = list(REQUESTS)[index % len(REQUESTS)]
        subject, text = REQUESTS[slug][language]
        handle = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{handle}{index}@example.org" if channel in ("email", "web") or index % 3 == 0 else ""
        phone = (
            f"+39 3{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}"
            if channel in ("phone", "voicemail", "whatsapp", "fax")
            else ""
        )
        citizen = Citizen.objects.create(
            first_name=first,
            last_name=last,
            email=email,
            phone=phone.replace(" ", ""),
            whatsapp_id=phone.replace(" ", "").lstrip("+") if channel == "whatsapp" else "",
            preferred_language=language,
            nationality=country,
            kind=Citizen.Kind.CITIZEN
            if country == "IT"
            else rng.choice(
                [
                    Citizen.Kind.FOREIGN_NATIONAL,
                    Citizen.Kind.FOREIGN_NATIONAL,
                    Citizen.Kind.EMPLOYER,
                    Citizen.Kind.FAMILY_MEMBER,
                ]
            ),
            consent_channel=channel,
        )
        received = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        ticket = services.open_ticket(
            citizen=citizen,
            channel=channel,
            subject=subject,
            text=text,
            office=roma,
            topic=topics[slug],
            language=language,
            sender=email or phone,
            received_at=received,
        )
        step = index % 6
        if step == 0:
            continue  # stays new in the queue
        operator = rng.choice(front)
        services.take_ticket(actor=operator, ticket_id=ticket.pk)
        if step == 1:
            continue
        if step in (2, 3):
            services.escalate_ticket(
                actor=operator, ticket_id=ticket.pk, reason="Serve il parere di un esperto legale sulla pratica."
            )
            if step == 3:
                expert = rng.choice(back)
                services.take_ticket(actor=expert, ticket_id=ticket.pk)
                services.add_note(actor=expert, ticket_id=ticket.pk, text="Verificata la pratica nel gestionale.")
            continue
        services.reply_to_ticket(actor=operator, ticket_id=ticket.pk, text=REPLIES[language])
        if step == 4:
            services.wait_for_citizen(actor=operator, ticket_id=ticket.pk)
            continue
        services.resolve_ticket(actor=operator, ticket_id=ticket.pk, outcome=Ticket.Outcome.ANSWERED)
    stdout.write(f"{count} demo requests across {len(channels)} channels in it/en/fr/es.")
