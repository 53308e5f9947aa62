from django.urls import path

from .views import lists, me, phone, tickets

app_name = "desk"

urlpatterns = [
    path("", lists.my_tickets, name="home"),
    path("queues/<int:queue_id>/", lists.queue_tickets, name="queue"),
    path("waiting/", lists.waiting_tickets, name="waiting"),
    path("due/", lists.due_tickets, name="due"),
    path("all/", lists.all_tickets, name="all"),
    path("search/", lists.search_tickets, name="search"),
    path("next/", lists.next_ticket, name="next_ticket"),
    path("tickets/<int:ticket_id>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/take/", tickets.take, name="take"),
    path("tickets/<int:ticket_id>/assign/", tickets.assign, name="assign"),
    path("tickets/<int:ticket_id>/reply/", tickets.reply, name="reply"),
    path("tickets/<int:ticket_id>/note/", tickets.note, name="note"),
    path("tickets/<int:ticket_id>/topic/", tickets.change_topic, name="change_topic"),
    path("tickets/<int:ticket_id>/priority/", tickets.change_priority, name="change_priority"),
    path("tickets/<int:ticket_id>/wait/", tickets.wait, name="wait"),
    path("tickets/<int:ticket_id>/resolve/", tickets.resolve, name="resolve"),
    path("tickets/<int:ticket_id>/close/", tickets.close, name="close"),
    path("tickets/<int:ticket_id>/reopen/", tickets.reopen, name="reopen"),
    path("tickets/<int:ticket_id>/escalate/", tickets.escalate, name="escalate"),
    path("tickets/<int:ticket_id>/return/", tickets.return_to_front, name="return_to_front"),
    path("tickets/<int:ticket_id>/official/", tickets.hand_to_official, name="hand_to_official"),
    path("tickets/<int:ticket_id>/merge/", tickets.merge, name="merge"),
    path("tickets/<int:ticket_id>/presence/", tickets.presence, name="ticket_presence"),
    path("tickets/<int:ticket_id>/canned/", tickets.canned_reply, name="canned_reply"),
    path("tickets/<int:ticket_id>/faq/", tickets.faq_answer, name="faq_answer"),
    path("attachments/<int:attachment_id>/", tickets.attachment, name="attachment"),
    path("calls/", phone.log_call, name="log_call"),
    path("calls/new/", phone.log_call_new, name="log_call_new"),
    path("calls/tickets/<int:ticket_id>/", phone.log_call_add, name="log_call_add"),
    path("calls/ringing/", phone.ringing, name="ringing"),
    path("mail/", phone.register_mail, name="register_mail"),
    path("me/presence/", me.presence, name="set_presence"),
    path("me/language/", me.language, name="set_language"),
]
