"""The Django admin is for administrators and supervisors, and it obeys the desk's access rules.

The accounts here are made the way an office gets them (the demo seed, through the role
service), not by a test factory: the hole was in the data (operators made staff, with admin
permissions on tickets), so the test must start from the same data.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from operators.models import Role
from tests.conftest import login_verified
from tests.factories import CitizenFactory
from tickets import access, services
from tickets.demo.base import create_base
from tickets.models import Attachment, Citizen, Message, Queue, Ticket, TicketEvent, Tier

# Rows the admin shows read-only to everyone: they change only through the services (status
# machine, timeline), which the desk and the API call.
SERVICE_ONLY_MODELS = (Ticket, Message, Attachment, TicketEvent, Citizen)


@pytest.fixture
def office_accounts(db):
    """The demo office's accounts of every role, and a back-office ticket with an internal note."""
    create_base(io.StringIO())
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "supervisore", "front1", "back1"])
    }
    back_queue = Queue.objects.get(office__code="questura-roma", tier=Tier.BACK)
    citizen = CitizenFactory(first_name="Segreto", last_name="Nascosto", email="nascosto@example.org")
    ticket = services.open_ticket(
        citizen=citizen,
        queue=Queue.objects.get(office__code="questura-roma", tier=Tier.FRONT),
        channel="email",
        subject="Pratica riservata",
        text="Domanda",
        attachments=[services.NewAttachment("riservato.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    services.escalate_ticket(actor=users["front1"], ticket_id=ticket.pk, reason="Serve un esperto", queue=back_queue)
    services.add_note(actor=users["back1"], ticket_id=ticket.pk, text="Nota interna riservatissima")
    return users, Ticket.objects.get(pk=ticket.pk)


def _login(client, user):
    if access.is_supervisor(user):
        login_verified(client, user)  # supervisors and administrators pass the second factor
    else:
        client.force_login(user)


@pytest.mark.parametrize("username", ["front1", "back1"])
def test_operators_are_not_staff_and_their_groups_carry_no_admin_permission(office_accounts, username):
    users, _ticket = office_accounts
    user = get_user_model().objects.get(pk=users[username].pk)
    assert not user.is_staff
    assert not user.get_all_permissions()


def test_role_groups_after_the_migrations(db):
    assert not Group.objects.get(name=Role.FRONT_OFFICE).permissions.exists()
    assert not Group.objects.get(name=Role.BACK_OFFICE).permissions.exists()
    supervisor = {p.codename for p in Group.objects.get(name=Role.SUPERVISOR).permissions.all()}
    assert "view_ticket" in supervisor
    assert not {"change_ticket", "add_ticket", "delete_ticket", "change_message", "change_citizen"} & supervisor


def test_front_office_operator_cannot_list_back_office_tickets_in_the_admin(client, office_accounts):
    users, ticket = office_accounts
    _login(client, users["front1"])
    response = client.get("/admin/tickets/ticket/", {"tier__exact": "back"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_front_office_operator_cannot_read_an_internal_note_in_the_admin(client, office_accounts):
    users, ticket = office_accounts
    note = ticket.messages.get(direction=Message.Direction.NOTE)
    _login(client, users["front1"])
    assert client.get(f"/desk/tickets/{ticket.pk}/").status_code == 404  # the desk's answer
    response = client.get(f"/admin/tickets/message/{note.pk}/change/")
    assert response.status_code == 302
    assert "riservatissima" not in response.content.decode()


class _FormValues(HTMLParser):
    """The values a browser would send back from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def test_front_office_operator_cannot_reassign_a_back_office_ticket_through_the_admin(client, office_accounts):
    users, ticket = office_accounts
    _login(client, users["front1"])
    url = f"/admin/tickets/ticket/{ticket.pk}/change/"
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    form = parser.values
    form.update({"assignee": [str(users["front1"].pk)], "tier": ["front"], "_save": ["Save"]})
    client.post(url, form)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.assignee_id, fresh.tier, fresh.version) == (ticket.assignee_id, ticket.tier, ticket.version)


@pytest.mark.parametrize("username", ["supervisore", "admin"])
def test_supervisors_cannot_change_tickets_messages_or_the_timeline_in_the_admin(client, office_accounts, username):
    users, ticket = office_accounts
    _login(client, users[username])
    before = (ticket.status, ticket.assignee_id, ticket.tier, ticket.version, ticket.messages.count())
    for model in SERVICE_ONLY_MODELS:
        opts = model._meta
        obj = model.objects.filter(pk=_object_of(model, ticket)).get()
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200, change
        assert 'name="_save"' not in page.content.decode(), f"{change} offers a save button"
        assert client.post(change, {"status": "closed", "assignee": users[username].pk}).status_code == 403
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.assignee_id, fresh.tier, fresh.version, fresh.messages.count()) == before


def _object_of(model, ticket: Ticket) -> int:
    return {
        Ticket: ticket.pk,
        Message: ticket.messages.order_by("pk").first().pk,
        Attachment: ticket.attachments.get().pk,
        TicketEvent: ticket.events.order_by("pk").first().pk,
        Citizen: ticket.citizen_id,
    }[model]


def _admin_urls(model) -> list[tuple[str, str]]:
    """The changelist and every change view of a registered model, as (kind, url)."""
    opts = model._meta
    urls = [("changelist", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))]
    for pk in model._default_manager.values_list("pk", flat=True)[:20]:
        urls.append(("change", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])))
    return urls


def _ticket_of(obj) -> Ticket | None:
    if isinstance(obj, Ticket):
        return obj
    return getattr(obj, "ticket", None)


@pytest.mark.parametrize("username", ["front1", "back1", "supervisore", "admin"])
def test_every_admin_page_as_every_role_matches_what_the_desk_lets_that_role_see(client, office_accounts, username):
    users, ticket = office_accounts
    user = users[username]
    _login(client, user)
    request = RequestFactory().get("/admin/")
    request.user = user
    findings = []
    for model, model_admin in admin.site._registry.items():
        for _kind, url in _admin_urls(model):
            response = client.get(url)
            body = response.content.decode("utf-8", "replace")
            if not access.is_supervisor(user):
                # Operators work in the desk: every admin page sends them to the admin's sign-in.
                if response.status_code != 302 or "/admin/login/" not in response["Location"]:
                    findings.append(f"{username} {url}: {response.status_code}")
                if "Nascosto" in body or "riservatissima" in body:
                    findings.append(f"{username} {url}: leaks the hidden ticket")
                continue
            # Beyond the records, each model is open as far as the role's permissions go
            # (users, groups and second factors are the administrators').
            expected = 200 if model_admin.has_view_or_change_permission(request) else 403
            if response.status_code != expected:
                findings.append(f"{username} {url}: {response.status_code}, not {expected}")
        if access.is_supervisor(user):
            # What the admin lists of a ticket-bound model is what the desk lets this user see.
            shown = model_admin.get_queryset(request)
            for obj in shown[:200]:
                bound = _ticket_of(obj)
                if bound is not None and not access.can_see_ticket(user, bound):
                    findings.append(f"{username} sees {model.__name__} {obj.pk} of a ticket the desk hides")
            if model is Ticket:
                assert set(shown.values_list("pk", flat=True)) == set(
                    access.visible_tickets(user).values_list("pk", flat=True)
                )
    if access.is_supervisor(user):
        for model in (*SERVICE_ONLY_MODELS, Group):
            assert admin.site._registry[model].has_view_permission(request) == (
                model is not Group or user.is_superuser
            ), model.__name__
    assert not findings, "\n".join(findings)


def test_admin_queryset_of_ticket_bound_models_follows_the_access_rules(office_accounts, monkeypatch):
    """A supervisor restricted by the access rules (as an office-scoped one will be) is restricted in the admin."""
    users, ticket = office_accounts
    supervisor = users["supervisore"]
    monkeypatch.setattr(access, "visible_tickets_filter", lambda user: ~access.Q(pk=ticket.pk))
    request = RequestFactory().get("/admin/")
    request.user = supervisor
    for model in (Ticket, Message, Attachment, TicketEvent):
        shown = admin.site._registry[model].get_queryset(request)
        assert ticket.pk not in {(_ticket_of(obj) or obj).pk for obj in shown}, model.__name__
    citizens = admin.site._registry[Citizen].get_queryset(request)
    assert ticket.citizen_id not in set(citizens.values_list("pk", flat=True))


def test_changing_an_operators_role_in_the_admin_changes_what_they_may_do(client, office_accounts):
    users, _ticket = office_accounts
    _login(client, users["admin"])
    operator = users["front1"].operator
    form = {
        "user": users["front1"].pk,
        "role": Role.SUPERVISOR,
        "office": operator.office_id,
        "languages": "[]",
        "presence": operator.presence,
        "ui_language": operator.ui_language,
        "extension": operator.extension,
        "queues": [q.pk for q in operator.queues.all()],
    }
    response = client.post(reverse("admin:operators_operator_change", args=[operator.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    promoted = get_user_model().objects.get(pk=users["front1"].pk)
    assert promoted.is_staff
    assert list(promoted.groups.values_list("name", flat=True)) == [Role.SUPERVISOR]
    form["role"] = Role.BACK_OFFICE
    client.post(reverse("admin:operators_operator_change", args=[operator.pk]), form)
    demoted = get_user_model().objects.get(pk=users["front1"].pk)
    assert not demoted.is_staff
    assert list(demoted.groups.values_list("name", flat=True)) == [Role.BACK_OFFICE]
