import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from operators.models import Operator, Role
from tickets.models import Channel, Citizen, Ticket

from ..conftest import login_verified

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_loads_every_role_channel_and_language_and_is_not_repeated():
    output = seed()
    assert "sportello-demo" in output  # the demo password is printed
    assert {o.role for o in Operator.objects.all()} == set(Role.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Ticket.objects.values_list("language", flat=True)) == {"it", "en", "fr", "es"}
    assert Citizen.objects.values("nationality").distinct().count() >= 10
    count = Ticket.objects.count()
    again = seed()
    assert "already present" in again
    assert Ticket.objects.count() == count


def test_seed_demo_bulk_volumes_have_unique_references():
    from django.utils import timezone

    from tickets.references import allocate_reference

    # Numbers handed out earlier (a sequence is not rolled back) must not be reused by the bulk load.
    for _ in range(5):
        allocate_reference(timezone.localtime().year)
    seed(tickets=3000, citizens=500)
    assert Ticket.objects.count() >= 3000
    assert Ticket.objects.values("reference").distinct().count() == Ticket.objects.count()
    # New tickets continue after the bulk numbers.
    from tickets import services
    from tickets.models import Queue

    citizen = Citizen.objects.first()
    fresh = services.open_ticket(citizen=citizen, channel="email", queue=Queue.objects.first(), text="x")
    assert Ticket.objects.filter(reference=fresh.reference).count() == 1


def test_admin_lists_and_forms_work_for_every_model(client):
    seed()
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    login_verified(client, get_user_model().objects.get(username="admin"))  # past the second factor
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist, {"q": "rossi"} if model_admin.search_fields else {})
        assert response.status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change
