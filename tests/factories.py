from datetime import time

import factory
from django.contrib.auth import get_user_model

from operators.models import Operator, Role
from operators.roles import apply_role
from tickets import services
from tickets.models import Citizen, Office, OfficeHours, Queue, Tier, Topic


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ufficio {n}")
    code = factory.Sequence(lambda n: f"ufficio-{n}")
    holiday_country = "IT"

    @factory.post_generation
    def hours(office, create, extracted, **kwargs):
        if not create:
            return
        slots = (
            extracted
            if extracted is not None
            else [(d, time(9), time(13)) for d in range(5)] + [(d, time(14), time(17)) for d in range(5)]
        )
        for weekday, opens, closes in slots:
            OfficeHours.objects.create(office=office, weekday=weekday, opens=opens, closes=closes)


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"Coda {n}")
    tier = Tier.FRONT
    is_default = True
    first_response_hours = 4
    resolution_hours = 24


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    email = factory.Sequence(lambda n: f"cittadino{n}@example.org")
    phone = factory.Sequence(lambda n: f"+39333{n:07d}")
    preferred_language = "it"
    nationality = "MA"
    kind = Citizen.Kind.FOREIGN_NATIONAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"operatore{n}")
    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    password = factory.django.Password("password-for-tests")


def make_operator(
    *, role: str = Role.FRONT_OFFICE, queues=(), office=None, name: str = "", ui_language: str = "en", **user_fields
) -> "object":
    """A staff user with an operator profile working the given queues; returns the user."""
    if name:
        first, _, last = name.partition(" ")
        user_fields.setdefault("first_name", first)
        user_fields.setdefault("last_name", last)
    user = UserFactory(**user_fields)
    # The suite reads the desk in English (its msgids); translation itself is tested on its own.
    operator = Operator.objects.create(
        user=user,
        role=role,
        office=office or (queues[0].office if queues else None),
        languages=["it", "en"],
        ui_language=ui_language,
    )
    operator.queues.set(queues)
    apply_role(operator)  # staff flag and group as the office's own accounts get them
    return user


def open_test_ticket(queue: Queue, citizen: Citizen | None = None, **kwargs):
    kwargs.setdefault("channel", "email")
    kwargs.setdefault("subject", "Rinnovo permesso di soggiorno")
    kwargs.setdefault("text", "Quali documenti servono?")
    return services.open_ticket(citizen=citizen or CitizenFactory(), queue=queue, **kwargs)


def topic(slug: str) -> Topic:
    return Topic.objects.get(slug=slug)
