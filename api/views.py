"""API viewsets: parse, call one service or selector, serialize. The rules live in tickets/."""

from __future__ import annotations

from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy.models import AccessLog
from privacy.services import erase_citizen, export_citizen_data, record_access, record_consent, record_list_access
from tickets import selectors, services
from tickets.access import access_citizen, access_ticket, is_supervisor, queue_ids_for, visible_tickets_filter
from tickets.errors import TicketNotFound
from tickets.models import Attachment, Citizen, Message, Queue, Ticket
from tickets.uploads import download_headers, validate_upload

from . import serializers as s
from .filters import TicketFilter
from .serializers import normalise_phone
from .throttling import IpRateThrottle

VIA = AccessLog.Via.API
MAX_ID = 2**63 - 1


def parse_id(value) -> int:
    """A path id as an int; anything else (text, overflow) is simply not found."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= number <= MAX_ID:
        raise NotFound()
    return number


class IpThrottleFirst:
    """Count the client IP before authenticating: failed token guesses are throttled too."""

    def initial(self, request, *args, **kwargs):
        throttle = IpRateThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        super().initial(request, *args, **kwargs)


class TicketCursorPagination(CursorPagination):
    # Newest first; id breaks ties so a page boundary never drops or repeats a ticket.
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_supervisor(request.user)


@extend_schema_view(
    list=extend_schema(summary="List the tickets you may see", tags=["tickets"]),
    retrieve=extend_schema(summary="One ticket (logged as a view of personal data)", tags=["tickets"]),
)
class TicketViewSet(IpThrottleFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TicketListSerializer
    pagination_class = TicketCursorPagination
    filterset_class = TicketFilter
    queryset = Ticket.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return selectors.list_tickets(self.request.user)

    def get_serializer_class(self):
        return s.TicketDetailSerializer if self.action not in ("list",) else s.TicketListSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        record_list_access(request.user, tickets=page, via=VIA)
        return self.get_paginated_response(s.TicketListSerializer(page, many=True).data)

    def _ticket(self, pk) -> Ticket:
        return access_ticket(self.request.user, parse_id(pk))

    def retrieve(self, request, pk=None):
        ticket = self._ticket(pk)
        record_access(request.user, ticket=ticket, via=VIA)
        return Response(s.TicketDetailSerializer(ticket).data)

    def _detail(self, ticket: Ticket, code=status.HTTP_200_OK) -> Response:
        # The ticket the service returns: after an escalation the caller may no longer see it.
        return Response(s.TicketDetailSerializer(ticket).data, status=code)

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Open a ticket",
        tags=["tickets"],
        request=s.TicketCreateSerializer,
        responses={201: s.TicketDetailSerializer},
    )
    def create(self, request):
        data = self._valid(s.TicketCreateSerializer)
        if data.get("citizen_id"):
            citizen = access_citizen(request.user, parse_id(data["citizen_id"]))
        else:
            contact = data["citizen"]
            citizen = services.find_or_create_citizen(
                email=contact["email"],
                phone=contact["phone"],
                first_name=contact["first_name"],
                last_name=contact["last_name"],
                language=contact["language"],
                consent_channel=data["channel"],
            )
        ticket = services.open_ticket(
            citizen=citizen,
            channel=data["channel"],
            subject=data["subject"],
            text=data["text"],
            queue=data.get("queue"),
            topic=data.get("topic"),
            priority=int(data["priority"]),
            language=data.get("language", ""),
            case_file_ref=data["case_file_ref"],
            actor=request.user,
            direction=Message.Direction.INBOUND,
        )
        return self._detail(ticket, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take the ticket (self-assign)",
        tags=["transitions"],
        request=s.VersionSerializer,
        responses=s.TicketDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        data = self._valid(s.VersionSerializer)
        ticket = services.take_ticket(
            actor=request.user, ticket_id=parse_id(pk), expected_version=data.get("expected_version")
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Assign to an operator",
        tags=["transitions"],
        request=s.AssignSerializer,
        responses=s.TicketDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self._valid(s.AssignSerializer)
        ticket = services.assign_ticket(
            actor=request.user,
            ticket_id=parse_id(pk),
            assignee=data["assignee"],
            expected_version=data.get("expected_version"),
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Escalate to the back office",
        tags=["transitions"],
        request=s.EscalateSerializer,
        responses=s.TicketDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = self._valid(s.EscalateSerializer)
        ticket = services.escalate_ticket(
            actor=request.user,
            ticket_id=parse_id(pk),
            reason=data["reason"],
            queue=data.get("queue"),
            expected_version=data.get("expected_version"),
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Reply to the citizen",
        tags=["transitions"],
        request=s.TextSerializer,
        responses={201: s.MessageSerializer},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        data = self._valid(s.TextSerializer)
        message = services.reply_to_ticket(
            actor=request.user,
            ticket_id=parse_id(pk),
            text=data["text"],
            expected_version=data.get("expected_version"),
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add an internal note",
        tags=["transitions"],
        request=s.TextSerializer,
        responses={201: s.MessageSerializer},
    )
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        data = self._valid(s.TextSerializer)
        message = services.add_note(actor=request.user, ticket_id=parse_id(pk), text=data["text"])
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Resolve with an outcome",
        tags=["transitions"],
        request=s.ResolveSerializer,
        responses=s.TicketDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = self._valid(s.ResolveSerializer)
        ticket = services.resolve_ticket(
            actor=request.user,
            ticket_id=parse_id(pk),
            outcome=data["outcome"],
            note=data["note"],
            expected_version=data.get("expected_version"),
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Close", tags=["transitions"], request=s.VersionSerializer, responses=s.TicketDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self._valid(s.VersionSerializer)
        ticket = services.close_ticket(
            actor=request.user, ticket_id=parse_id(pk), expected_version=data.get("expected_version")
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Reopen", tags=["transitions"], request=s.ReopenSerializer, responses=s.TicketDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = self._valid(s.ReopenSerializer)
        ticket = services.reopen_ticket(
            actor=request.user,
            ticket_id=parse_id(pk),
            reason=data["reason"],
            expected_version=data.get("expected_version"),
        )
        return self._detail(ticket)

    @extend_schema(
        summary="Messages of the ticket (internal notes included)",
        tags=["messages"],
        responses=s.MessageSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def messages(self, request, pk=None):
        ticket = self._ticket(pk)
        record_access(request.user, ticket=ticket, via=VIA)
        detail = selectors.get_ticket_detail(ticket)
        return Response(s.MessageSerializer(detail["messages"], many=True).data)

    @extend_schema(summary="Timeline of the ticket", tags=["tickets"], responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        ticket = self._ticket(pk)
        detail = selectors.get_ticket_detail(ticket)
        return Response(s.EventSerializer(detail["events"], many=True).data)

    @extend_schema(
        summary="Upload an attachment (as an internal note carrying it)",
        tags=["attachments"],
        request={"multipart/form-data": s.UploadSerializer},
        responses={201: s.AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    def upload(self, request, pk=None):
        data = self._valid(s.UploadSerializer)
        upload = data["file"]
        ticket_id = parse_id(pk)
        access_ticket(request.user, ticket_id)  # 404 before reading a possibly large body
        new = validate_upload(upload.name, upload.read())
        message = services.add_note(
            actor=request.user, ticket_id=ticket_id, text=data["text"] or new.filename, attachments=[new]
        )
        return Response(s.AttachmentSerializer(message.attachments.get()).data, status=status.HTTP_201_CREATED)


def access_attachment(user, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=attachment_id).only("pk", "ticket_id").first()
    if attachment is None:
        raise TicketNotFound(ticket_id=attachment_id)
    access_ticket(user, attachment.ticket_id)
    return Attachment.objects.select_related("ticket").get(pk=attachment_id)


@extend_schema_view(retrieve=extend_schema(summary="Attachment metadata", tags=["attachments"]))
class AttachmentViewSet(IpThrottleFirst, viewsets.GenericViewSet):
    serializer_class = s.AttachmentSerializer
    queryset = Attachment.objects.none()
    lookup_value_regex = r"[0-9]+"

    def retrieve(self, request, pk=None):
        return Response(s.AttachmentSerializer(access_attachment(request.user, parse_id(pk))).data)

    @extend_schema(
        summary="Download the file (Content-Disposition: attachment; logged)",
        tags=["attachments"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = access_attachment(request.user, parse_id(pk))
        record_access(request.user, ticket=attachment.ticket, via=VIA, action=AccessLog.Action.DOWNLOAD)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise NotFound(_("The file is no longer stored.")) from None
        # Always a download for API clients, under the name cleaned as the desk shows it (tickets.uploads).
        response = FileResponse(handle, content_type="application/octet-stream")
        for header, value in download_headers(attachment.filename, "application/octet-stream").items():
            response[header] = value
        return response


CITIZEN_SEARCH = [
    OpenApiParameter("phone", str, description="Any format; normalised to E.164 (default region IT)."),
    OpenApiParameter("email", str),
]


class CitizenViewSet(IpThrottleFirst, viewsets.GenericViewSet):
    serializer_class = s.CitizenSerializer
    queryset = Citizen.objects.none()
    lookup_value_regex = r"[0-9]+"

    @extend_schema(
        summary="Find citizens by phone or email (logged)",
        tags=["citizens"],
        parameters=CITIZEN_SEARCH,
        responses=s.CitizenSerializer(many=True),
    )
    def list(self, request):
        phone = request.query_params.get("phone", "").strip()[:40]
        email = request.query_params.get("email", "").strip()[:254]
        if not phone and not email:
            raise ValidationError({"phone": [_("Search by phone or email.")]})
        phone = normalise_phone(phone) if phone else ""
        if not phone and not email:
            return Response([])
        from tickets.access import visible_citizens_filter

        citizens = list(
            selectors.find_citizens(phone=phone, email=email).filter(visible_citizens_filter(request.user))[:50]
        )
        record_list_access(request.user, citizens=citizens, via=VIA)
        return Response(s.CitizenSerializer(citizens, many=True).data)

    @extend_schema(
        summary="A citizen with their ticket history (logged)", tags=["citizens"], responses=s.CitizenDetailSerializer
    )
    def retrieve(self, request, pk=None):
        citizen = access_citizen(request.user, parse_id(pk))
        record_access(request.user, citizen=citizen, via=VIA)
        history = selectors.get_citizen_history(citizen, user=request.user)
        return Response(s.CitizenDetailSerializer(citizen, context={"history": history}).data)

    @extend_schema(
        summary="Export all data held on the citizen (ZIP; supervisors; logged)",
        tags=["privacy"],
        request=s.ReasonSerializer,
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = access_citizen(request.user, parse_id(pk))
        payload = export_citizen_data(citizen, actor=request.user, via=VIA, reason=data.validated_data["reason"])
        response = HttpResponse(payload, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="citizen-{citizen.pk}.zip"'
        return response

    @extend_schema(
        summary="Erase (anonymize) the citizen on request (supervisors; logged)",
        tags=["privacy"],
        request=s.ReasonSerializer,
        responses=s.ErasureSerializer,
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = access_citizen(request.user, parse_id(pk))
        summary = erase_citizen(citizen, actor=request.user, via=VIA, reason=data.validated_data["reason"])
        return Response(summary)

    @extend_schema(
        summary="Record the citizen's legal basis and consent (kept in the consent history)",
        tags=["privacy"],
        request=s.ConsentSerializer,
        responses=s.CitizenSerializer,
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        data = s.ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        citizen = access_citizen(request.user, parse_id(pk))
        record_consent(citizen, actor=request.user, **data.validated_data)
        return Response(s.CitizenSerializer(citizen).data)

    def get_permissions(self):
        if self.action in ("export", "erase"):
            return [*super().get_permissions(), IsSupervisor()]
        return super().get_permissions()


@extend_schema(tags=["queues"])
class QueueViewSet(IpThrottleFirst, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.QueueSerializer
    pagination_class = None
    queryset = Queue.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Queue.objects.none()
        queues = Queue.objects.filter(is_active=True).order_by("office_id", "tier", "name")
        if is_supervisor(self.request.user):
            return queues
        return queues.filter(pk__in=queue_ids_for(self.request.user))


class StatsView(IpThrottleFirst, APIView):
    @extend_schema(
        summary="Counts of visible tickets per queue and status, and per channel",
        tags=["queues"],
        responses=s.StatsSerializer,
    )
    def get(self, request):
        tickets = Ticket.objects.filter(visible_tickets_filter(request.user))
        rows = list(
            tickets.values("queue", "queue__name", "status").annotate(count=Count("id")).order_by("queue", "status")
        )
        by_channel = dict(tickets.values_list("channel").annotate(count=Count("id")).order_by("channel"))
        return Response(
            {
                "total": sum(row["count"] for row in rows),
                "by_queue_and_status": [
                    {"queue": r["queue"], "queue_name": r["queue__name"], "status": r["status"], "count": r["count"]}
                    for r in rows
                ],
                "by_channel": by_channel,
            }
        )


@csrf_exempt  # a POST to an unknown API path is a 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's error shape, not Django's HTML page."""
    from django.http import JsonResponse

    return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)


LANG_PARAMETER = OpenApiParameter(
    "lang", str, enum=["it", "en", "fr", "es"], description="Language; default from Accept-Language, then Italian."
)


def _faq_language(request) -> str:
    from django.conf import settings
    from django.utils import translation

    requested = request.query_params.get("lang", "")
    if requested in settings.LANGUAGE_CODES:
        return requested
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


class FaqViewSet(IpThrottleFirst, viewsets.ViewSet):
    """The public FAQ ("Cerco le risposte"), read-only, in the citizen's language."""

    authentication_classes: list = []
    permission_classes: list = []
    lookup_value_regex = r"[0-9]+"

    @extend_schema(
        summary="Published FAQ by topic",
        tags=["faq"],
        parameters=[LANG_PARAMETER],
        responses=s.FaqTopicSerializer(many=True),
    )
    def list(self, request):
        from faq.selectors import list_faq_topics

        return Response(s.FaqTopicSerializer(list_faq_topics(_faq_language(request)), many=True).data)

    @extend_schema(
        summary="One published FAQ entry", tags=["faq"], parameters=[LANG_PARAMETER], responses=s.FaqEntrySerializer
    )
    def retrieve(self, request, pk=None):
        from faq.selectors import entry_view, get_published_entry

        entry = get_published_entry(parse_id(pk))
        if entry is None:
            raise NotFound()
        return Response(s.FaqEntrySerializer(entry_view(entry, _faq_language(request))).data)
