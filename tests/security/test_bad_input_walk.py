"""Bad input never answers 500: walk EVERY named URL of the project (portal, desk, dashboards, API,
webhooks, admin) and send each parameter its view reads a NUL byte, a lone surrogate, broken UTF-8,
an over-long value and wrong types, and each path parameter an object that does not exist.

Data-driven twice, so a new route or a new parameter is covered the day it is added: the routes come
from the URL resolver (the walk of test_idor_walk.py), the parameters from the source of each view
(its request.GET / request.POST / query_params reads, the fields of the forms, serializers and
filter sets it uses, and the same for the project helpers it hands the request to).

NUL bytes fail only on PostgreSQL (SQLite stores them): CI's PostgreSQL leg runs this file like the
rest of the suite, and test_postgresql_refuses_nul_in_text checks there that the walk means something.
"""

from __future__ import annotations

import inspect
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import CodeType, ModuleType
from urllib.parse import quote

import pytest
from django import forms
from django.core.cache import caches
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone

from tests.conftest import login_verified
from tests.factories import CitizenFactory, OfficeFactory, open_test_ticket
from tests.security.test_idor_walk import _walk
from tickets import services

ROOT = str(Path(__file__).resolve().parents[2])
PROJECT_PACKAGES = ("api", "channels_app", "contactcenter", "faq", "operators", "privacy", "reports", "tickets")
# Read by library code the project's views hand the request to (Django's set_language, LoginView).
LIBRARY_READS = {"switch_language": {"next", "language"}, "set_language": {"next", "language"}}
ADMIN_PARAMS = ["q", "p", "o", "_changelist_filters", "_to_field", "_popup"]

# Percent-encoded as they arrive on the wire: a NUL, '\udcff' as UTF-8 would carry it (no valid UTF-8
# can), a byte that is not UTF-8. Django's own parsing turns the last two into U+FFFD silently.
# Inside text, past the views' "at least 3 characters" checks.
UNREADABLE = {"nul": "ab%00cd", "lone-surrogate": "ab%ED%B3%BFcd", "broken-utf8": "ab%FFcd"}
# 100 kB: one 50 kB word (too long for a tsquery) and 16,000 short ones (a query of 16,000 terms).
OVERLONG = {"over-long": "a" * 50_000 + " ab" * 16_667}
WRONG_TYPES = {
    "text": "x",
    "negative": "-1",
    "missing-id": "987654321",
    "huge-int": "9" * 30,  # past any database integer
    "digits-past-int-limit": "9" * 5000,  # int() refuses more than 4300 digits
    "digit-not-decimal": "²",  # str.isdigit() says yes, int() says no
}
JSON_VALUES = {
    "json-nul": "ab\x00cd",
    "json-lone-surrogate": "ab\udcffcd",
    "json-long": "a" * 100_000,
    "json-list": [1, 2],
    "json-object": {"a": 1},
    "json-null": None,
    "json-bool": True,
    "json-float": 1.5,
    "json-huge-int": 10**30,
    "json-negative": -1,
}
MISSING_PATH = {"int": ["987654321", "9" * 30, "0"], "str": ["%00", "%ED%B3%BF", "x" * 10_000, "does-not-exist"]}
REFUSED = {401, 403}


# ----------------------------------------------------------------------------- what each view reads

# request.GET.get("q"), request.POST["version"], query_params.get("lang"), "after" in request.GET …
READS = re.compile(
    r"""\b(GET|POST|query_params|data|FILES)\s*(?:\.get|\.getlist|\.pop)?\s*[\(\[]\s*["']([^"']+)["']"""
)
MEMBERSHIP = re.compile(r"""["']([^"']+)["']\s+(?:not\s+)?in\s+(?:request\.)?(GET|POST|query_params|data)\b""")
# A form bound to what the request sent: TicketFilterForm(request.GET …), ReportFilterForm.from_request(request.GET).
BOUND_FORM = re.compile(r"\b(\w+)(?:\.from_request)?\(\s*request\.(GET|POST)\b")
# A serializer that parses the body (a serializer that only writes the answer reads nothing).
INPUT_SERIALIZER = re.compile(r"(\w+Serializer)\(data=|_valid\((?:\w+\.)?(\w+Serializer)\)")
SOURCE_METHOD = {"GET": "get", "query_params": "get", "POST": "post", "data": "post", "FILES": "post"}


def _code_names(code: CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _code_names(const)
    return names


def _is_project(obj) -> bool:
    return (getattr(obj, "__module__", "") or "").split(".")[0] in PROJECT_PACKAGES


def _fields_of(cls) -> set[str]:
    from django_filters import FilterSet
    from rest_framework import serializers

    if not isinstance(cls, type):
        return set()
    if issubclass(cls, forms.BaseForm):
        names = set(cls.base_fields)
        prefix = getattr(cls, "PREFIX", "")
        return names | {f"{prefix}-{name}" for name in names} if prefix else names
    if issubclass(cls, serializers.BaseSerializer):
        try:
            return set(cls().fields)
        except Exception:  # a serializer that needs a context: its declared fields
            return set(getattr(cls, "_declared_fields", {}))
    if issubclass(cls, FilterSet):
        return set(cls.base_filters)
    return set()


def _reads() -> dict[str, set[str]]:
    return {"get": set(), "post": set()}


def _merge(into: dict[str, set[str]], other: dict[str, set[str]]) -> dict[str, set[str]]:
    for method in into:
        into[method] |= other[method]
    return into


def reads_of(func, seen: set | None = None, depth: int = 0) -> dict[str, set[str]]:
    """{"get": …, "post": …}: the parameters `func` reads, with those of the helpers it hands the request to."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(func)
    found = _reads()
    for method in found:
        found[method] |= LIBRARY_READS.get(getattr(func, "__name__", ""), set())
    if func in seen or depth > 4 or not _is_project(func) or not hasattr(func, "__code__"):
        return found
    seen.add(func)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):  # built at run time: nothing to read
        return found
    for source_name, name in READS.findall(source):
        found[SOURCE_METHOD[source_name]].add(name)
    for name, source_name in MEMBERSHIP.findall(source):
        found[SOURCE_METHOD[source_name]].add(name)
    names = _code_names(func.__code__)
    objects = {name: func.__globals__.get(name) for name in names}
    # `s.TicketCreateSerializer`, `services.ProcedureNotFound`: attributes of the modules it uses.
    for module in [obj for obj in list(objects.values()) if isinstance(obj, ModuleType)]:
        objects.update({name: getattr(module, name) for name in names if hasattr(module, name)})
    bound = {name: SOURCE_METHOD[source_name] for name, source_name in BOUND_FORM.findall(source)}
    parsed = {name for pair in INPUT_SERIALIZER.findall(source) for name in pair if name}
    for name, obj in objects.items():
        if isinstance(obj, type) and name in bound:
            found[bound[name]] |= _fields_of(obj)
        elif isinstance(obj, type) and name in parsed:
            found["post"] |= _fields_of(obj)
        elif not isinstance(obj, type) and callable(obj) and _takes_request(obj):
            _merge(found, reads_of(obj, seen, depth + 1))
    return found


def _takes_request(func) -> bool:
    try:
        return "request" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


@dataclass
class Target:
    """One route: its URL with existing objects, the view code behind it and what it reads."""

    route: str
    path_params: list[str]
    url: str
    api: bool
    admin: bool
    reads: dict[str, set[str]] = field(default_factory=_reads)

    @property
    def params(self) -> set[str]:
        return self.reads["get"] | self.reads["post"]


def view_reads(callback) -> dict[str, set[str]]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return reads_of(callback)
    found = _reads()
    actions = getattr(callback, "actions", None) or {}
    for name in set(actions.values()) or {"get", "post", "put", "patch", "delete"}:
        method = getattr(cls, name, None)
        if method is not None:
            _merge(found, reads_of(method))
    if actions.get("get") == "list":  # the router's list: its filters and its pages
        if getattr(cls, "filterset_class", None) is not None:
            found["get"] |= set(cls.filterset_class.base_filters)
        pagination = getattr(cls, "pagination_class", None)
        if pagination is not None:
            found["get"] |= {getattr(pagination, "cursor_query_param", "cursor"), "page_size"}
    if getattr(cls, "redirect_field_name", None):  # LoginView, LogoutView
        found["get"].add(cls.redirect_field_name)
        found["post"].add(cls.redirect_field_name)
    found["post"] |= _fields_of(getattr(cls, "form_class", None))  # LoginView's AuthenticationForm
    return found


# ----------------------------------------------------------------------------- the world walked


@pytest.fixture
def world(db, office, front_queue, back_queue, front_operator, back_operator, supervisor, admin_user):
    from faq.models import Appointment, FaqFeedback
    from operators.models import CannedReply
    from reports.models import Campaign, PartnerBody, RecurringProblem
    from tests.faq.factories import FaqEntryFactory, ProcedureFactory

    citizen = CitizenFactory(email="walk@example.org", phone="+393331234567")
    ticket = open_test_ticket(
        front_queue,
        citizen,
        attachments=[services.NewAttachment("doc.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    entry = FaqEntryFactory()
    procedure = ProcedureFactory()
    partner = PartnerBody.objects.create(name="Ministero dell'Interno")
    problem = RecurringProblem.objects.create(title="Portale lento", partner=partner)
    campaign_office = OfficeFactory(code="bonus", name="Bonus")
    campaign = Campaign.objects.create(
        name="Bonus", office=campaign_office, starts_on=date.today(), ends_on=date.today() + timedelta(days=30)
    )
    return {
        "ticket": ticket,
        "citizen": citizen,
        "attachment": ticket.attachments.get(),
        "message": ticket.messages.first(),
        "entry": entry,
        "procedure": procedure,
        "feedback": FaqFeedback.objects.create(entry=entry, useful=False, comment="poco chiaro"),
        "appointment": Appointment.objects.create(ticket=ticket, office=office, procedure=procedure),
        "problem": problem,
        "partner": partner,
        "campaign": campaign,
        "canned": CannedReply.objects.filter(is_active=True).first()
        or CannedReply.objects.create(title="Saluto", text="Buongiorno"),
        "queue": front_queue,
        "users": {
            "front": front_operator,
            "back": back_operator,
            "supervisor": supervisor,
            "admin": admin_user,
        },
    }


def _path_value(route: str, param: str, world: dict):
    lowered = f"{route}:{param}".lower()
    for kind in ("attachment", "appointment", "feedback", "problem", "partner", "campaign", "queue", "entry"):
        if kind in lowered:
            return world[kind].pk
    if param == "token":
        return world["ticket"].access_token
    if param == "key":
        return "topics"
    if param == "topic_slug":
        return world["entry"].topic.slug
    if param == "slug":
        return world["procedure"].slug if "procedure" in route else world["entry"].slug
    if param == "pk":
        for kind, basename in (("citizen", "citizen"), ("attachment", "attachment"), ("entry", "faq")):
            if f"api:{basename}-" in route:
                return world[kind].pk
        return world["ticket"].pk
    if param in ("ticket_id", "object_id"):
        return world["ticket"].pk
    return None


ADMIN_OBJECTS = {
    "tickets_ticket": "ticket",
    "tickets_citizen": "citizen",
    "tickets_message": "message",
    "tickets_attachment": "attachment",
    "faq_faqentry": "entry",
    "faq_procedure": "procedure",
    "reports_campaign": "campaign",
}


def targets(world: dict) -> list[Target]:
    found = []
    for route, path_params in dict.fromkeys(
        (name, tuple(params)) for name, params in _walk(get_resolver().url_patterns)
    ):
        admin = route.startswith("admin:")
        if admin and not re.search(r"_(changelist|change)$", route):
            continue  # the admin's other pages read the same few parameters
        if admin:
            model = route.split(":", 1)[1].rsplit("_", 1)[0]
            if not any(model.startswith(f"{package}_") for package in PROJECT_PACKAGES):
                continue
            if path_params:
                if model not in ADMIN_OBJECTS:
                    continue
                kwargs = {"object_id": world[ADMIN_OBJECTS[model]].pk}
            else:
                kwargs = {}
        else:
            kwargs = {param: _path_value(route, param, world) for param in path_params}
            if any(value is None for value in kwargs.values()):
                continue
        try:
            url = reverse(route, kwargs=kwargs)
        except NoReverseMatch:
            continue
        target = Target(route, list(path_params), url, api=url.startswith("/api/"), admin=admin)
        target.reads = {"get": set(ADMIN_PARAMS), "post": set()} if admin else view_reads(resolve(url).func)
        found.append(target)
    return found


# ----------------------------------------------------------------------------- sending


class Walker:
    """One client per role; each request from its own address (rate limits count per address)."""

    addresses = itertools.count(1)

    def __init__(self, world: dict):
        self.world = world
        self.clients = {"anonymous": Client()}
        for role, user in world["users"].items():
            client = Client()
            if role in ("supervisor", "admin"):
                login_verified(client, user)
            else:
                client.force_login(user)
            self.clients[role] = client
        self.findings: list[str] = []
        self.sent = 0

    def relogin(self, role: str) -> None:
        user = self.world["users"].get(role)
        if user is None:
            return
        client = self.clients[role]
        if role in ("supervisor", "admin"):
            login_verified(client, user)
        else:
            client.force_login(user)

    def plausible(self, target: Target, method: str) -> dict:
        w = self.world
        ticket = w["ticket"]
        values = {
            "text": "testo",
            "reason": "motivo",
            "note": "nota",
            "outcome": "answered",
            "priority": "3",
            "official": "Dott. Rossi",
            "name": "Campagna",
            "expected_version": str(ticket.version),
            "version": str(ticket.version),
            "assignee": str(w["users"]["front"].pk),
            "topic": "",
            "canned": str(w["canned"].pk),
            "entry": str(w["entry"].pk),
            "procedure": str(w["procedure"].pk),
            "problem": str(w["problem"].pk),
            "duplicate": "",
            "slot": (timezone.now() + timedelta(days=3))
            .replace(hour=10, minute=0, second=0, microsecond=0)
            .isoformat(),
            "action": "propose",
            "status": "in_progress",
            "presence": "available",
            "language": "it",
            "number": "+393331234567",
            "phone": "+393331234567",
            "email": "walk@example.org",
            "contact": "walk@example.org",
            "reference": ticket.reference,
            "q": "permesso",
            "faq_q": "permesso",
            "subject": "permesso di soggiorno",
            "useful": "1",
            "comment": "chiaro",
            "first_name": "Mario",
            "last_name": "Rossi",
            "next": "/desk/",
            "office": str(w["queue"].office_id),
            "date_from": date.today().isoformat(),
            "date_to": date.today().isoformat(),
            "token": "000000",
            "username": "nobody",
            "password": "wrong-password",
            "consent": "on",
        }
        return {name: values.get(name, "x") for name in sorted(target.reads[method])}

    def send(self, role: str, method: str, target: Target, label: str, *, url: str | None = None, **kwargs):
        """Send one request; a 5xx or an exception is a finding. Returns the response (None if it raised)."""
        url = url or target.url
        self.sent += 1
        address = next(self.addresses)
        kwargs.setdefault("REMOTE_ADDR", f"10.{address // 65536 % 256}.{address // 256 % 256}.{address % 256}")
        client = self.clients[role]
        try:
            response = getattr(client, method)(url, **kwargs)
        except Exception as error:  # a crash is the finding: say where
            frames = [
                f
                for f in inspect.trace()
                if f.filename.startswith(ROOT) and not f.filename.startswith(f"{ROOT}/tests/")
            ]
            frames = [f for f in frames if "/.venv/" not in f.filename]
            where = f" at {frames[-1].filename[len(ROOT) + 1 :]}:{frames[-1].lineno}" if frames else ""
            self.findings.append(f"{method.upper()} {target.route} [{label}] as {role}: {type(error).__name__}{where}")
            return None
        finally:
            if target.route in ("logout",):
                self.relogin(role)
        # /readyz answers 503 by design while no worker is up (the PostgreSQL leg runs with a broker).
        if response.status_code >= 500 and not (target.route == "readyz" and response.status_code == 503):
            self.findings.append(f"{method.upper()} {target.route} [{label}] as {role}: {response.status_code}")
        return response


def _query(params: dict[str, str], bad: dict[str, str]) -> str:
    """A query string (or urlencoded body): `bad` values are sent as given (already percent-encoded)."""
    parts = [f"{quote(name)}={quote(str(value))}" for name, value in params.items() if name not in bad]
    parts += [f"{quote(name)}={value}" for name, value in bad.items()]
    return "&".join(parts)


def _refused(response) -> bool:
    """Not for this role: 401/403, or sent to sign in (or to the second factor)."""
    if response.status_code in REFUSED:
        return True
    target = response.get("Location", "") or response.get("HX-Redirect", "")
    return response.status_code in (302, 204) and "/accounts/" in target


_REACH: dict[str, list[tuple[str, str]]] = {}  # route -> (role, method): the same in every test


def _reaches(walker: Walker, target: Target) -> list[tuple[str, str]]:
    """(role, method) pairs to walk: the least privileged role the view answers for each method.

    A route that refuses everyone (a webhook without its signature) is walked anonymously: its
    refusal must not be a 500 either.
    """
    if target.route in _REACH:
        return _REACH[target.route]
    roles = ["admin"] if target.admin else ["anonymous", "front", "back", "supervisor"]
    pairs = []
    for method in ("get", "post"):
        for role in roles:
            caches["default"].clear()
            data = walker.plausible(target, method)
            if method == "get":
                response = walker.send(role, "get", target, "probe", data=data)
            elif target.api:
                data = json.dumps(data)
                response = walker.send(role, "post", target, "probe", data=data, content_type="application/json")
            else:
                response = walker.send(role, "post", target, "probe", data=data)
            if response is None or response.status_code == 405:
                break  # this method is not served (or it crashed: already a finding)
            if not _refused(response):
                pairs.append((role, method))
                break
        else:
            pairs.append((roles[0], method))
    _REACH[target.route] = pairs
    return pairs


@pytest.fixture
def walker(world, settings):
    settings.SPORTELLO_API_THROTTLE_RATES = {"token": "100000/minute", "ip": "100000/minute"}
    for alias in ("default", "portal"):
        caches[alias].clear()
    return Walker(world)


def _walk_all(walker: Walker, send_one, *, admin: bool = False) -> int:
    walked = 0
    for target in targets(walker.world):
        if target.admin and not admin:
            continue  # Django's admin: only the unreadable-text walk (its search box is the risk)
        for role, method in _reaches(walker, target):
            caches["default"].clear()
            walked += 1
            send_one(walker, target, role, method)
    return walked


# ----------------------------------------------------------------------------- the tests


def test_the_walk_finds_the_parameters_each_view_reads(world):
    by_route = {t.route: t for t in targets(world)}
    expected = {
        ("portal:search", "get"): {"q"},
        ("portal:request_suggestions", "get"): {"subject"},
        ("portal:request_new", "get"): {"procedure"},
        ("portal:request_new", "post"): {"procedure", "email", "text", "attachments", "website"},
        ("portal:status", "post"): {"reference", "contact"},
        ("desk:faq_answer", "get"): {"faq_q", "entry", "text"},
        ("desk:canned_reply", "get"): {"canned", "text"},
        ("desk:reply", "post"): {"text", "version"},
        ("desk:search", "get"): {"q", "after", "created_from", "office"},
        ("desk:set_presence", "post"): {"presence", "next"},
        ("portal_ops:appointment_schedule", "post"): {"slot", "action"},
        ("dashboard:report", "get"): {"date_from", "office"},
        ("dashboard:ticket_problem_create", "post"): {"new-problem-title"},
        ("api:citizen-list", "get"): {"email", "phone"},
        ("api:ticket-list", "get"): {"status", "queue", "created_after", "cursor"},
        ("api:ticket-list", "post"): {"subject", "citizen_id", "priority"},
        ("api:ticket-take", "post"): {"expected_version"},
        ("api:faq-list", "get"): {"lang"},
        ("login", "post"): {"username", "password", "next"},
        ("set_language", "post"): {"language", "next"},
    }
    missing = {}
    for (route, method), names in expected.items():
        found = by_route[route].reads[method]
        if not names <= found:
            missing[route, method] = names - found
    assert not missing
    # What a page only shows is not read: the status page's empty message form, the API's answers.
    assert not by_route["portal:status_token"].reads["get"]
    assert not by_route["api:ticket-detail"].params
    assert len(by_route) > 80, "the walk lost routes"


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_unreadable_text_is_refused_with_a_clear_400_everywhere(walker, kind):
    """Every parameter at once: each route must refuse the request, never store or search it."""
    value = UNREADABLE[kind]
    not_refused = []

    def send_one(walker, target, role, method):
        bad = dict.fromkeys(target.reads[method] or ["q"], value)
        if method == "get":
            url = f"{target.url}?{_query({}, bad)}"
            status = walker.send(role, "get", target, kind, url=url)
        elif target.api:
            return  # JSON bodies: test_api_bodies_of_the_wrong_type_are_refused
        else:
            body = _query(walker.plausible(target, method), bad)
            status = walker.send(
                role, "post", target, kind, data=body, content_type="application/x-www-form-urlencoded"
            )
        if status is not None and not 400 <= status.status_code < 500:
            not_refused.append(f"{method.upper()} {target.route} as {role}: {status.status_code}")

    walked = _walk_all(walker, send_one, admin=True)
    assert walked > 60
    assert not walker.findings, "\n".join(walker.findings)
    # Webhooks and the API read their own bodies (their signature or serializer refuses); anything
    # else that accepted unreadable text let it through.
    assert not not_refused, "\n".join(not_refused)


def test_nul_in_a_multipart_form_is_refused(walker):
    def send_one(walker, target, role, method):
        if method != "post" or target.api:
            return
        data = {**walker.plausible(target, method), **dict.fromkeys(target.reads[method] or ["q"], "ab\x00cd")}
        response = walker.send(role, "post", target, "multipart-nul", data=data)
        if response is not None and not 400 <= response.status_code < 500:
            walker.findings.append(f"POST {target.route} as {role}: {response.status_code} to a NUL in multipart")

    assert _walk_all(walker, send_one) > 20
    assert not walker.findings, "\n".join(walker.findings)


@pytest.mark.parametrize("kind", list(OVERLONG) + list(WRONG_TYPES))
def test_over_long_and_wrong_type_values_never_answer_500(walker, kind):
    """One parameter at a time, the others plausible: a view reads each of them."""
    value = {**OVERLONG, **WRONG_TYPES}[kind]

    def send_one(walker, target, role, method):
        plausible = walker.plausible(target, method)
        for name in sorted(target.reads[method]):
            if method == "get":
                url = f"{target.url}?{_query({}, {name: quote(value)})}"
                walker.send(role, "get", target, f"{kind} in {name}", url=url)
            elif target.api:
                data = json.dumps({**plausible, name: value})
                walker.send(role, "post", target, f"{kind} in {name}", data=data, content_type="application/json")
            else:
                walker.send(role, "post", target, f"{kind} in {name}", data={**plausible, name: value})

    assert _walk_all(walker, send_one) > 60
    assert not walker.findings, "\n".join(walker.findings)


def test_api_bodies_of_the_wrong_type_are_refused(walker):
    """JSON can carry what a form cannot: "\\u0000", a lone "\\udcff", lists, objects, huge numbers."""
    not_refused = []

    def send_one(walker, target, role, method):
        if method != "post" or not target.api:
            return
        plausible = walker.plausible(target, method)
        for kind, value in JSON_VALUES.items():
            for name in sorted(target.reads[method]):
                data = json.dumps({**plausible, name: value})  # ensure_ascii: "\udcff" stays an escape
                label = f"{kind} in {name}"
                response = walker.send(role, "post", target, label, data=data, content_type="application/json")
                accepted = response is not None and 200 <= response.status_code < 300
                if accepted and kind in ("json-nul", "json-lone-surrogate") and name in _stored_text_fields(target):
                    not_refused.append(f"POST {target.route} [{label}]: {response.status_code}")

    assert _walk_all(walker, send_one) > 5
    assert not walker.findings, "\n".join(walker.findings)
    assert not not_refused, "\n".join(not_refused)


def _stored_text_fields(target: Target) -> set[str]:
    return {"text", "reason", "note", "subject", "case_file_ref", "first_name", "last_name", "email"} & target.reads[
        "post"
    ]


def test_path_parameters_that_do_not_exist_never_answer_500(walker):
    def send_one(walker, target, role, method):
        if not target.path_params or target.admin:
            return
        kwargs = resolve(target.url).kwargs
        for param in target.path_params:
            kind = "int" if isinstance(kwargs[param], int) else "str"
            for value in MISSING_PATH[kind]:
                url = _url_with(target.route, kwargs, param, value)
                label = f"{param}={value[:20]}"
                if method == "get":
                    walker.send(role, "get", target, label, url=url)
                elif target.api:
                    data = json.dumps(walker.plausible(target, method))
                    walker.send(role, "post", target, label, url=url, data=data, content_type="application/json")
                else:
                    walker.send(role, "post", target, label, url=url, data=walker.plausible(target, method))

    assert _walk_all(walker, send_one) > 30
    assert not walker.findings, "\n".join(walker.findings)


def _url_with(route: str, kwargs: dict, param: str, value: str) -> str:
    """The route's URL with `param` set to `value` as it is (reverse() would quote a "%00")."""
    sentinel = "424242424242"  # digits: every converter and lookup regex of the project accepts them
    return reverse(route, kwargs={**kwargs, param: sentinel}).replace(sentinel, value)


def test_a_cookie_with_a_nul_is_ignored_not_a_500(world):
    """Django unquotes "\\000" in a cookie into a NUL; the session table would be queried with it."""
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"  # sent as "abcdefgh\000ijklmnop"
    for url in (reverse("portal:home"), reverse("desk:home"), reverse("api:queue-list")):
        response = client.get(url)
        assert response.status_code in (200, 302, 401, 403), url


def test_the_refusal_says_what_to_fix_in_the_page_language(client, world):
    page = client.get(f"{reverse('portal:search', kwargs={}).replace('/en/', '/it/')}?q=a%00b")
    assert page.status_code == 400
    assert '<html lang="it"' in page.text
    assert "«q»" in page.text and "caratteri" in page.text
    client.force_login(world["users"]["front"])
    api = client.get(f"{reverse('api:citizen-list')}?email=a%00b", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert api.json()["code"] == "invalid_text"
    assert "“email”" in api.json()["message"]
    partial = client.get(f"{reverse('desk:search')}?q=%ED%B3%BF", HTTP_HX_REQUEST="true")
    assert partial.status_code == 400
    assert "data-domain-error" in partial.text


def test_readable_text_still_goes_through(client, world):
    """Accents, emoji and a real U+FFFD are text: only NUL and what is not UTF-8 are refused."""
    words = quote("perché 👍 € \ufffd")
    response = client.get(f"{reverse('portal:search')}?q={words}")
    assert response.status_code == 200
    response = client.post(reverse("portal:status"), {"reference": "IST-2026-0000001", "contact": "è@example.org"})
    assert response.status_code in (404, 422)


@pytest.mark.postgres
def test_postgresql_refuses_nul_in_text(world):
    """Why this walk must run on PostgreSQL: SQLite stores a NUL, PostgreSQL refuses it (a 500 if it got there)."""
    from django.db import DataError, transaction

    from tickets.models import Citizen

    with pytest.raises(DataError), transaction.atomic():
        Citizen.objects.filter(email="a\x00b").exists()
