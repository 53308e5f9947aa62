"""Every desk view of a ticket (with its citizen card) and every attachment download is in the access log."""

from django.urls import reverse

from privacy.models import AccessLog
from tickets.services import NewAttachment, store_attachments


def test_desk_ticket_view_is_logged(client, ticket, front_operator):
    client.force_login(front_operator)
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.ticket, entry.citizen_id, entry.via, entry.action) == (
        front_operator,
        ticket,
        ticket.citizen_id,
        "desk",
        "view",
    )


def test_desk_attachment_download_is_logged(client, ticket, front_operator):
    [attachment] = store_attachments(ticket, None, [NewAttachment("ricevuta.pdf", "application/pdf", b"%PDF-1.4\n")])
    client.force_login(front_operator)
    response = client.get(reverse("desk:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(ticket=ticket, action="download", via="desk", user=front_operator).count() == 1


def test_refused_views_are_not_logged_as_views(client, ticket, back_operator):
    client.force_login(back_operator)
    assert client.get(reverse("desk:ticket", args=[ticket.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_caller_lookup_is_logged(client, ticket, front_operator):
    ticket.citizen.phone = "+393331112233"
    ticket.citizen.save()
    client.force_login(front_operator)
    response = client.get(reverse("desk:log_call"), {"number": "333 111 2233"})
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.citizen_id, entry.action, entry.reason) == (ticket.citizen_id, "list", "caller lookup")
