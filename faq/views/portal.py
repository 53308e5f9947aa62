"""The public portal: thin views (parse, call one service or selector, render)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels_app.adapters.webform import check_attachments
from contactcenter.outage import keep_input_when_unavailable
from tickets.errors import DomainError

from .. import selectors, services
from ..forms import FeedbackForm, RequestForm, StatusLookupForm, StatusMessageForm
from ..lookup import client_ip, count_wrong_try, look_up_status, status_token_url
from ..pagecache import mark_status_cacheable, with_csrf, without_csrf

# New requests per IP address per hour (instead of a captcha).
REQUESTS_PER_HOUR = 10


SEARCH_PAGE_CACHE_SECONDS = 300


def _page_key(request: HttpRequest, *parts: object) -> str:
    # The full path: the page repeats it (language switcher's `next`, hreflang, header search box).
    raw = "|".join(str(part) for part in (*parts, _language(), request.get_host(), request.get_full_path()))
    return "portal:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cached_page(request: HttpRequest, key: str) -> HttpResponse | None:
    """A cached page with this visitor's CSRF token filled in; None when absent or when a notice waits."""
    if messages.get_messages(request):
        return None  # a one-time notice belongs to this visitor's page only
    cached = caches["portal"].get(key)
    if cached is None:
        return None
    return HttpResponse(with_csrf(request, cached))


def _store_page(request: HttpRequest, key: str, response: HttpResponse, seconds: int) -> HttpResponse:
    # CSRF tokens are per visitor: stored as a placeholder, filled in by _cached_page.
    if response.status_code == 200 and not messages.get_messages(request):
        caches["portal"].set(key, without_csrf(response.content), seconds)
    return response


def _language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE


def _request_crumbs() -> list:
    return [("", _("Send a request"))]


def _status_crumbs() -> list:
    return [("", _("Check your request"))]


def _entry_crumbs(topic: dict, entry) -> list:
    return [
        (reverse("portal:faq"), _("Find answers")),
        (reverse("portal:faq_topic", args=[topic["topic"].slug]), topic["name"]),
        ("", entry.question),
    ]


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, resolving `next` in the language of its own prefix.

    set_language translates `next` with the active language, which here (a URL without prefix)
    is the cookie's or the browser's: /fr/offices/ seen from Italian does not resolve and the
    citizen stayed on the French page. Activating the language of `next` first fixes that.
    """
    from urllib.parse import urlparse

    from django.views.i18n import set_language

    source = translation.get_language_from_path(urlparse(request.POST.get("next", "")).path)
    if source:
        with translation.override(source):
            return set_language(request)
    return set_language(request)


def root_redirect(request: HttpRequest) -> HttpResponse:
    """'/' goes to the portal in the remembered (cookie) or browser language."""
    language = translation.get_language_from_request(request, check_path=False)
    if language not in settings.LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return HttpResponseRedirect(reverse("portal:home"))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    language = _language()
    topics = selectors.list_faq_topics(language)
    return render(
        request,
        "portal/home.html",
        {
            "topics": topics,
            "procedures": [selectors.procedure_view(p, language) for p in selectors.list_published_procedures()],
        },
    )


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/faq_list.html",
        {"topics": selectors.list_faq_topics(_language()), "crumbs": [("", _("Find answers"))]},
    )


@require_GET
def faq_topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    language = _language()
    topic = next((t for t in selectors.list_faq_topics(language) if t["topic"].slug == topic_slug), None)
    if topic is None:
        raise Http404
    crumbs = [(reverse("portal:faq"), _("Find answers")), ("", topic["name"])]
    return render(request, "portal/faq_topic.html", {"topic": topic, "crumbs": crumbs})


@require_GET
def faq_entry(request: HttpRequest, topic_slug: str, slug: str) -> HttpResponse:
    language = _language()
    entry = selectors.get_faq_entry(topic_slug, slug, language)
    if entry is None:
        raise Http404
    topic = selectors.topic_view(entry.entry.topic, language)
    return render(
        request,
        "portal/faq_entry.html",
        {
            "entry": entry,
            "topic": topic,
            "crumbs": _entry_crumbs(topic, entry),
            "form": FeedbackForm(),
            "thanks": request.GET.get("thanks") == "1",
        },
    )


@require_POST
def faq_feedback(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.get_published_entry(entry_id)
    if entry is None:
        raise Http404
    form = FeedbackForm(request.POST)
    url = reverse("portal:faq_entry", args=[entry.topic.slug, entry.slug])
    if form.is_valid():
        services.record_faq_feedback(
            entry_id=entry.pk,
            useful=form.cleaned_data["useful"],
            comment=form.cleaned_data["comment"],
            language=_language(),
        )
        return redirect(f"{url}?thanks=1#feedback")
    language = _language()
    view = selectors.get_faq_entry(entry.topic.slug, entry.slug, language)
    topic = selectors.topic_view(entry.topic, language)
    return render(
        request,
        "portal/faq_entry.html",
        {"entry": view, "topic": topic, "form": form, "crumbs": _entry_crumbs(topic, view)},
        status=422,
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:200]
    # Popular searches are served whole from the cache until the FAQ changes (its generation).
    key = _page_key(request, "search", selectors.search_generation(), request.GET.get("q", "")[:200])
    cached = _cached_page(request, key)
    if cached is not None:
        return cached
    hits = selectors.search_faq(query, _language()) if query else []
    response = render(request, "portal/search.html", {"query": query, "hits": hits, "crumbs": [("", _("Search"))]})
    return _store_page(request, key, response, SEARCH_PAGE_CACHE_SECONDS)


@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    language = _language()
    rows = [selectors.procedure_view(p, language) for p in selectors.list_published_procedures()]
    return render(
        request, "portal/procedures.html", {"procedures": rows, "crumbs": [("", _("Procedures and documents"))]}
    )


@require_GET
def procedure(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_procedure(slug)
    if found is None:
        raise Http404
    view = selectors.procedure_view(found, _language())
    crumbs = [(reverse("portal:procedures"), _("Procedures and documents")), ("", view["title"])]
    return render(request, "portal/procedure.html", {"p": view, "crumbs": crumbs})


@require_GET
def offices(request: HttpRequest) -> HttpResponse:
    crumbs = [("", _("Offices and opening hours"))]
    return render(request, "portal/offices.html", {"offices": selectors.list_offices(), "crumbs": crumbs})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html", {"crumbs": [("", _("Privacy policy"))]})


# ----------------------------------------------------------------------------- new request


def _rate_limited(key: str, limit: int, window: int) -> bool:
    """Count one attempt under `key`; True when it is over the limit in the window."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


@keep_input_when_unavailable(RequestForm, skip=("website",))
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    language = _language()
    if request.method == "GET":
        initial = {"procedure": request.GET.get("procedure", "")}
        if initial["procedure"]:
            initial["want_appointment"] = True
        form = RequestForm(language=language, initial=initial)
        return render(request, "portal/request_form.html", {"form": form, "crumbs": _request_crumbs()})
    form = RequestForm(request.POST, request.FILES, language=language)
    if form.is_spam:
        # A bot filled the hidden field: pretend all is well, register nothing.
        return redirect("portal:request_thanks_spam")
    if _rate_limited(f"portal:req:{client_ip(request)}", REQUESTS_PER_HOUR, 3600):
        form.is_valid()
        form.add_error(None, _("Too many requests from your connection. Please try again in an hour."))
        return render(request, "portal/request_form.html", {"form": form, "crumbs": _request_crumbs()}, status=429)
    if form.is_valid():
        try:
            ticket = services.submit_portal_request(
                data=form.pipeline_data(),
                files=form.cleaned_data["attachments"],
                client_ip=client_ip(request),
                procedure=form.procedures.get(form.cleaned_data.get("procedure") or ""),
                want_appointment=form.cleaned_data.get("want_appointment", False),
                preferred_dates=form.cleaned_data.get("preferred_dates", ""),
            )
        except DomainError as err:
            form.add_error("attachments" if err.code == "attachment_rejected" else None, err.message)
            return render(
                request, "portal/request_form.html", {"form": form, "crumbs": _request_crumbs()}, status=err.status
            )
        return redirect("portal:request_thanks", token=ticket.access_token)
    return render(request, "portal/request_form.html", {"form": form, "crumbs": _request_crumbs()}, status=422)


@require_GET
def request_thanks(request: HttpRequest, token: str) -> HttpResponse:
    ticket = selectors.get_ticket_by_token(token)
    if ticket is None:
        raise Http404
    return render(request, "portal/request_thanks.html", {"ticket": ticket})


@require_GET
def request_thanks_spam(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/request_thanks.html", {"ticket": None})


@require_GET
def request_suggestions(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("subject", "").strip()[:200]
    hits = selectors.search_faq(query, _language(), limit=5, match_any=True) if len(query) >= 3 else []
    return render(request, "portal/_suggestions.html", {"hits": hits, "query": query})


@require_POST
def request_deflected(request: HttpRequest, entry_id: int) -> HttpResponse:
    query = request.POST.get("subject") or request.POST.get("query", "")
    services.record_deflection(entry_id=entry_id, query=query, language=_language())
    if request.htmx:
        return render(request, "portal/_deflected.html")
    messages.success(request, _("We are glad the answer helped you. You do not need to send a request."))
    return redirect("portal:faq")


# ----------------------------------------------------------------------------- status


def _neutral_refusal(form: StatusLookupForm) -> None:
    # Identical for a wrong pair and a reference that does not exist: nothing leaks.
    form.add_error(
        None,
        _(
            "We could not find a request with these details. Check the reference and the email "
            "or phone number you used, or follow the link in the acknowledgement."
        ),
    )


# What went wrong with a browser check sent back (faq.lookup.Check.problem).
_CHECK_PROBLEMS = {
    "failed": gettext_lazy("The check could not be confirmed or has expired. It starts again."),
    "early": gettext_lazy("Please wait a few more seconds, then press “Show the status” again."),
    "busy": gettext_lazy("Please wait a few more seconds, then press “Show the status” again."),
}


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/status_lookup.html", {"form": StatusLookupForm(), "crumbs": _status_crumbs()})
    lookup = look_up_status(request)
    form = lookup.form
    if form.errors:
        return render(request, "portal/status_lookup.html", {"form": form, "crumbs": _status_crumbs()}, status=422)
    if lookup.unavailable:
        form.add_error(
            None,
            _(
                "Finding a request by its reference is not available at the moment. Follow the link in the "
                "acknowledgement we sent you, or try again in a few minutes."
            ),
        )
        return render(request, "portal/status_lookup.html", {"form": form, "crumbs": _status_crumbs()}, status=503)
    if lookup.limited:
        form.add_error(None, _("Too many attempts. Wait a minute before trying again."))
        return render(
            request,
            "portal/status_lookup.html",
            {"form": form, "refused": True, "crumbs": _status_crumbs()},
            status=429,
        )
    if lookup.check is not None:
        # Never a refusal here: whoever asks for this reference may pass the check (faq.lookup).
        problem = _CHECK_PROBLEMS.get(lookup.check.problem)
        if problem:
            form.add_error(None, problem)
        context = {"form": form, "check": lookup.check, "crumbs": _status_crumbs()}
        return render(request, "portal/status_lookup.html", context)
    if lookup.token is None:
        count_wrong_try(lookup)
        _neutral_refusal(form)
        return render(request, "portal/status_lookup.html", {"form": form, "crumbs": _status_crumbs()}, status=404)
    return HttpResponseRedirect(status_token_url(lookup.token))


@require_GET
def status_token(request: HttpRequest, token: str) -> HttpResponse:
    # Read first: a change while the page renders makes the stored copy stale at once.
    version = selectors.get_ticket_version_by_token(token)
    if version is None:
        raise Http404
    ticket = selectors.get_status_ticket(token)
    if ticket is None:
        raise Http404
    context = selectors.get_public_status(ticket)
    context["message_form"] = StatusMessageForm()
    context["crumbs"] = [(reverse("portal:status"), _("Check your request")), ("", ticket.reference)]
    mark_status_cacheable(request, version)
    return render(request, "portal/status.html", context)


@keep_input_when_unavailable(StatusMessageForm)
@require_POST
def status_message(request: HttpRequest, token: str) -> HttpResponse:
    ticket = selectors.get_ticket_by_token(token)
    if ticket is None:
        raise Http404
    form = StatusMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments = check_attachments(form.cleaned_data["attachments"])
            services.add_portal_message(ticket=ticket, text=form.cleaned_data["text"], attachments=attachments)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("Your message has been added to the request."))
            return redirect("portal:status_token", token=ticket.access_token)
    context = selectors.get_public_status(ticket)
    context["message_form"] = form
    context["crumbs"] = [(reverse("portal:status"), _("Check your request")), ("", ticket.reference)]
    return render(request, "portal/status.html", context, status=422)
