import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from privacy.models import AccessLog, ConsentRecord, DataSubjectRequest
from privacy.services import (
    anonymize_expired_citizens,
    expired_citizens,
    export_citizen_data,
    record_access,
    record_consent,
    record_list_access,
)
from tests.factories import CitizenFactory, open_test_ticket
from tickets import services
from tickets.models import Attachment, Citizen, Message, Ticket, TicketEvent

PDF = b"%PDF-1.4\n%%EOF\n"


def _closed_ticket(queue, citizen, *, months_ago: int, actor):
    ticket = open_test_ticket(
        queue, citizen, attachments=[services.NewAttachment("passaporto.pdf", "application/pdf", PDF)]
    )
    services.escalate_ticket(actor=None, ticket_id=ticket.pk, reason="Ha scritto il suo codice fiscale RSSMRA80")
    services.resolve_ticket(actor=None, ticket_id=ticket.pk, outcome="answered")
    services.close_ticket(actor=None, ticket_id=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=31 * months_ago))
    return Ticket.objects.get(pk=ticket.pk)


def test_record_access_and_bulk_list(ticket, front_operator):
    record_access(front_operator, ticket=ticket, via="desk")
    assert record_list_access(front_operator, tickets=[ticket, ticket], via="api") == 2
    entry = AccessLog.objects.filter(action="view").get()
    assert (entry.username, entry.citizen_id, entry.via) == ("anna", ticket.citizen_id, "desk")


def test_consent_history(citizen, front_operator):
    record_consent(citizen, legal_basis="consent", consent_given=True, channel="web", actor=front_operator)
    record_consent(citizen, legal_basis="public_task", consent_given=False, channel="phone", actor=front_operator)
    citizen.refresh_from_db()
    assert (citizen.legal_basis, citizen.consent_given, citizen.consent_channel) == ("public_task", False, "phone")
    assert citizen.consent_at is not None
    assert list(ConsentRecord.objects.values_list("channel", flat=True)) == ["phone", "web"]


def test_retention_anonymizes_after_the_office_period_keeping_statistics(
    office, front_queue, back_queue, citizen, django_capture_on_commit_callbacks
):
    office.retention_months = 12
    office.save()
    old = _closed_ticket(front_queue, citizen, months_ago=13, actor=None)
    recent_citizen = CitizenFactory(email="recente@example.org")
    _closed_ticket(front_queue, recent_citizen, months_ago=2, actor=None)
    active_citizen = CitizenFactory(email="attivo@example.org")
    open_test_ticket(front_queue, active_citizen)
    stored = Attachment.objects.get(ticket=old)
    storage_name = stored.file.name
    assert stored.file.storage.exists(storage_name)

    assert list(expired_citizens()) == [citizen]
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymize_expired_citizens() == 1
    citizen.refresh_from_db()
    assert (citizen.first_name, citizen.last_name, citizen.email, str(citizen.phone or "")) == ("", "", "", "")
    assert citizen.anonymized_at is not None
    assert (citizen.nationality, citizen.kind) == ("MA", "foreign_national")  # statistics keep origin
    old.refresh_from_db()
    assert (old.channel, old.status, old.topic_id, old.created_at is not None) == ("email", "closed", None, True)
    assert old.subject == ""
    assert set(Message.objects.filter(ticket=old).values_list("text", flat=True)) == {""}
    assert not Attachment.objects.filter(ticket=old).exists()
    assert not stored.file.storage.exists(storage_name)
    escalation = TicketEvent.objects.get(ticket=old, kind="escalated")
    assert escalation.data["reason"] == ""
    assert TicketEvent.objects.filter(ticket=old).count() == 4  # the timeline's rows stay
    # The others are untouched.
    assert Citizen.objects.get(pk=recent_citizen.pk).email == "recente@example.org"
    assert Citizen.objects.get(pk=active_citizen.pk).email == "attivo@example.org"
    assert DataSubjectRequest.objects.get().kind == "retention"


def test_dry_run_lists_and_changes_nothing(office, front_queue, back_queue, citizen, capsys):
    _closed_ticket(front_queue, citizen, months_ago=30, actor=None)
    call_command("anonymize_expired", "--dry-run")
    out = capsys.readouterr().out
    assert f"citizen {citizen.pk}:" in out
    assert "1 citizen(s) would be anonymized" in out
    assert Citizen.objects.get(pk=citizen.pk).email == "youssef@example.org"
    call_command("anonymize_expired")
    assert Citizen.objects.get(pk=citizen.pk).email == ""


def test_beat_schedule_runs_retention(settings):
    assert settings.CELERY_BEAT_SCHEDULE["privacy-retention"]["task"] == "privacy.tasks.anonymize_expired"
    from privacy.tasks import anonymize_expired

    assert anonymize_expired.name == "privacy.tasks.anonymize_expired"


@pytest.mark.postgres
def test_event_rewrite_outside_anonymizer_is_still_refused(ticket):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(data={})
    assert connection.vendor == "postgresql"


def test_export_zip_contains_json_and_attachments(ticket, supervisor):
    services.store_attachments(ticket, None, [services.NewAttachment("ricevuta.pdf", "application/pdf", PDF)])
    payload = export_citizen_data(ticket.citizen, actor=supervisor, via="admin", reason="richiesta art. 15")
    archive = zipfile.ZipFile(io.BytesIO(payload))
    data = json.loads(archive.read("data.json"))
    assert data["citizen"]["email"] == "youssef@example.org"
    assert data["tickets"][0]["reference"] == ticket.reference
    assert data["tickets"][0]["messages"][0]["text"] == "Quali documenti servono?"
    path = data["tickets"][0]["attachments"][0]["path"]
    assert archive.read(path) == PDF
    assert AccessLog.objects.get(action="export").reason == "richiesta art. 15"
    assert DataSubjectRequest.objects.get().kind == "export"


def test_api_export_and_erase_are_for_supervisors(client, ticket, supervisor, front_operator):
    from tests.conftest import login_verified

    client.force_login(front_operator)
    url = f"/api/v1/citizens/{ticket.citizen_id}"
    assert client.post(f"{url}/export/", {"reason": "x"}).status_code == 403
    login_verified(client, supervisor)
    response = client.post(f"{url}/export/", {"reason": "richiesta"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert client.post(f"{url}/erase/", {}).status_code == 400  # a reason is required
    response = client.post(f"{url}/erase/", {"reason": "richiesta art. 17"})
    assert response.status_code == 200
    assert response.json()["tickets"] == 1
    citizen = Citizen.objects.get(pk=ticket.citizen_id)
    assert citizen.anonymized_at is not None
    assert str(citizen)  # the admin and the desk can still name the row
    assert AccessLog.objects.filter(action="erase", reason="richiesta art. 17").exists()
    assert DataSubjectRequest.objects.filter(kind="erasure").exists()


def _admin(supervisor):
    supervisor.is_staff = True
    supervisor.save()
    return supervisor


def test_admin_change_views_are_logged(client, ticket, supervisor):
    from tests.conftest import login_verified

    login_verified(client, _admin(supervisor))
    supervisor.is_superuser = True
    supervisor.save()
    assert client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200
    assert client.get(f"/admin/tickets/citizen/{ticket.citizen_id}/change/").status_code == 200
    message = ticket.messages.get()
    assert client.get(f"/admin/tickets/message/{message.pk}/change/").status_code == 200
    logged = list(AccessLog.objects.filter(via="admin").values_list("ticket_id", "citizen_id"))
    assert logged == [(ticket.pk, ticket.citizen_id), (None, ticket.citizen_id), (ticket.pk, ticket.citizen_id)][::-1]


def test_supervisor_queries_access_log_and_exports_csv(client, ticket, supervisor, front_operator):
    from tests.conftest import login_verified

    record_access(front_operator, ticket=ticket, via="desk")
    login_verified(client, _admin(supervisor))
    page = client.get("/admin/privacy/accesslog/?via__exact=desk")
    assert page.status_code == 200
    assert ticket.reference in page.text
    ids = list(AccessLog.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/privacy/accesslog/", {"action": "export_csv", "_selected_action": [str(i) for i in ids]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"anna,view,desk,{ticket.reference}" in response.content.decode()


def test_admin_erase_action(client, ticket, supervisor):
    from tests.conftest import login_verified

    supervisor.is_superuser = True
    login_verified(client, _admin(supervisor))
    selected = {"action": "erase_citizens_action", "_selected_action": [ticket.citizen_id]}
    confirm = client.post("/admin/tickets/citizen/", selected)
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.text
    assert Citizen.objects.get(pk=ticket.citizen_id).anonymized_at is None  # nothing before the reason
    client.post("/admin/tickets/citizen/", {**selected, "confirmed": "yes", "reason": "richiesta art. 17"})
    assert Citizen.objects.get(pk=ticket.citizen_id).anonymized_at is not None
    assert AccessLog.objects.get(action="erase").reason == "richiesta art. 17"


def test_admin_export_action_asks_a_reason(client, ticket, supervisor):
    from tests.conftest import login_verified

    supervisor.is_superuser = True
    login_verified(client, _admin(supervisor))
    selected = {"action": "export_citizen_action", "_selected_action": [ticket.citizen_id]}
    assert 'name="reason"' in client.post("/admin/tickets/citizen/", selected).text
    response = client.post("/admin/tickets/citizen/", {**selected, "confirmed": "yes", "reason": "art. 15"})
    assert response["Content-Type"] == "application/zip"
    assert AccessLog.objects.get(action="export").reason == "art. 15"


def test_api_records_consent_with_date_and_channel(api_client_factory, ticket, front_operator):
    client = api_client_factory(front_operator)
    response = client.post(
        f"/api/v1/citizens/{ticket.citizen_id}/consent/",
        {"legal_basis": "consent", "consent_given": True, "channel": "phone", "notice_version": "2026-01"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["legal_basis"], response.json()["consent_channel"]) == ("consent", "phone")
    assert response.json()["consent_at"]
    record = ConsentRecord.objects.get()
    assert (record.recorded_by, record.notice_version) == (front_operator, "2026-01")


@pytest.fixture
def api_client_factory():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
