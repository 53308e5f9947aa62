import django_filters

from tickets.models import Channel, Status, Ticket, Tier


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    priority = django_filters.ChoiceFilter(choices=Ticket.Priority.choices)
    queue = django_filters.NumberFilter(field_name="queue_id", min_value=1, max_value=2**53)
    topic = django_filters.NumberFilter(field_name="topic_id", min_value=1, max_value=2**53)
    assignee = django_filters.NumberFilter(field_name="assignee_id", min_value=1, max_value=2**53)
    citizen = django_filters.NumberFilter(field_name="citizen_id", min_value=1, max_value=2**53)
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="iexact", max_length=32)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    overdue_before = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields: list[str] = []
