"""What the API shows and accepts. Writes only parse input: the services apply the rules."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.models import Attachment, Channel, Citizen, Message, Queue, Ticket, TicketEvent, Topic


def normalise_phone(value: str) -> str:
    """E.164 (+393331234567) from what a PBX or a person types; empty when it is not a phone number."""
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class TicketListSerializer(serializers.ModelSerializer):
    citizen_name = serializers.SerializerMethodField()
    queue_name = serializers.CharField(source="queue.name", read_only=True)
    topic_name = serializers.CharField(source="topic.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "channel",
            "language",
            "tier",
            "due_at",
            "created_at",
            "version",
            "citizen",
            "citizen_name",
            "queue",
            "queue_name",
            "assignee",
            "topic",
            "topic_name",
        ]
        read_only_fields = fields

    def get_citizen_name(self, ticket: Ticket) -> str:
        return f"{ticket.citizen.first_name} {ticket.citizen.last_name}".strip() or ticket.citizen.email


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "ticket",
            "message",
            "filename",
            "content_type",
            "size",
            "sha256",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        from django.urls import reverse

        return reverse("api:attachment-download", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "direction",
            "channel",
            "author",
            "sender",
            "subject",
            "text",
            "html",
            "delivery_status",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "public", "data", "created_at"]
        read_only_fields = fields


class CitizenSummarySerializer(serializers.ModelSerializer):
    phone = serializers.CharField(read_only=True)
    nationality = serializers.CharField(read_only=True, help_text="ISO 3166 country code, or empty.")
    preferred_language = serializers.CharField(read_only=True, help_text="it, en, fr or es.")
    # Plain strings: contacts are empty when unknown or anonymized, which format "email" would not allow.
    email = serializers.CharField(read_only=True)

    class Meta:
        model = Citizen
        fields = ["id", "first_name", "last_name", "email", "phone", "preferred_language", "nationality", "kind"]
        read_only_fields = fields


class TicketDetailSerializer(TicketListSerializer):
    citizen_detail = CitizenSummarySerializer(source="citizen", read_only=True)
    outcome = serializers.CharField(read_only=True, help_text="Outcome code once resolved, else empty.")

    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "citizen_detail",
            "office",
            "case_file_ref",
            "outcome",
            "merged_into",
            "first_response_due_at",
            "resolution_due_at",
            "first_responded_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields


class NewCitizenSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, default="it")

    def validate_phone(self, value: str) -> str:
        if not value:
            return ""
        normalised = normalise_phone(value)
        if not normalised:
            raise serializers.ValidationError(_("Not a valid phone number."))
        return normalised

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("phone")):
            raise serializers.ValidationError(_("Give an email address or a phone number."))
        return attrs


class TicketCreateSerializer(serializers.Serializer):
    citizen_id = serializers.IntegerField(required=False, min_value=1, max_value=2**53)
    citizen = NewCitizenSerializer(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=50_000)
    queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.filter(is_active=True), required=False)
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.filter(is_active=True), required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False, default=2)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    case_file_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("citizen_id") and not attrs.get("citizen"):
            raise serializers.ValidationError(_("Give citizen_id or the new citizen's contacts."))
        return attrs


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Refuse with 409 if the ticket changed since."
    )


class AssignSerializer(VersionSerializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))


class EscalateSerializer(VersionSerializer):
    # Blank is let through: the service decides (ReasonRequired, 422), one copy of the rule.
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    queue = serializers.PrimaryKeyRelatedField(queryset=Queue.objects.filter(is_active=True), required=False)


class TextSerializer(VersionSerializer):
    text = serializers.CharField(max_length=50_000, allow_blank=True)


class ResolveSerializer(VersionSerializer):
    outcome = serializers.ChoiceField(choices=Ticket.Outcome.choices)
    note = serializers.CharField(max_length=50_000, required=False, allow_blank=True, default="")


class ReopenSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CitizenSerializer(CitizenSummarySerializer):
    phone_alt = serializers.CharField(read_only=True)
    consent_channel = serializers.CharField(read_only=True, help_text="Channel of the consent, or empty.")

    class Meta(CitizenSummarySerializer.Meta):
        fields = [
            *CitizenSummarySerializer.Meta.fields,
            "phone_alt",
            "whatsapp_id",
            "legal_basis",
            "consent_given",
            "consent_at",
            "consent_channel",
            "anonymized_at",
            "created_at",
        ]
        read_only_fields = fields


class CitizenTicketSerializer(serializers.ModelSerializer):
    queue_name = serializers.CharField(source="queue.name", read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "reference", "subject", "status", "channel", "queue", "queue_name", "topic", "created_at"]
        read_only_fields = fields


class CitizenDetailSerializer(CitizenSerializer):
    tickets = serializers.SerializerMethodField()

    class Meta(CitizenSerializer.Meta):
        fields = [*CitizenSerializer.Meta.fields, "tickets"]
        read_only_fields = fields

    @extend_schema_field(CitizenTicketSerializer(many=True))
    def get_tickets(self, citizen: Citizen) -> list[dict]:
        # Only the tickets this user may see (selectors.get_citizen_history), passed in by the view.
        return CitizenTicketSerializer(self.context["history"], many=True).data


class QueueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Queue
        fields = ["id", "name", "office", "tier", "first_response_hours", "resolution_hours", "is_default"]
        read_only_fields = fields


class QueueStatsSerializer(serializers.Serializer):
    queue = serializers.IntegerField()
    queue_name = serializers.CharField()
    status = serializers.CharField()
    count = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_queue_and_status = QueueStatsSerializer(many=True)
    by_channel = serializers.DictField(child=serializers.IntegerField())


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why (kept in the access log and the audit entry).")


class ErasureSerializer(serializers.Serializer):
    tickets = serializers.IntegerField()
    messages = serializers.IntegerField()
    attachments = serializers.IntegerField()
    events = serializers.IntegerField()
    raw_inputs = serializers.IntegerField()


class FaqEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField(source="entry.slug")
    question = serializers.CharField()
    answer = serializers.CharField(help_text="Sanitized HTML.")
    language = serializers.CharField(source="text_language", help_text="Language of the text shown.")
    fallback = serializers.BooleanField(help_text="True when Italian stands in for a missing translation.")


class FaqTopicSerializer(serializers.Serializer):
    slug = serializers.CharField(source="topic.slug")
    name = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField(source="text_language")
    fallback = serializers.BooleanField()
    entries = FaqEntrySerializer(many=True)


class ConsentSerializer(serializers.Serializer):
    legal_basis = serializers.ChoiceField(choices=Citizen.LegalBasis.choices)
    consent_given = serializers.BooleanField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    notice_version = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
