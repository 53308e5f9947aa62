import pytest
from django.conf import settings
from django.utils import translation

from operators.models import Role
from tickets.calendar import clear_calendar_cache
from tickets.models import Tier

from .factories import CitizenFactory, OfficeFactory, QueueFactory, make_operator, open_test_ticket

# Fake provider servers (Graph API, Twilio media) shared by the channel tests.
pytest_plugins = ["tests.fakes.graph"]


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_services = pytest.mark.skip(reason="needs Redis and a Celery broker (set CELERY_BROKER_URL)")
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "services" in item.keywords and not (settings.IS_POSTGRES and settings.CELERY_BROKER_URL):
            item.add_marker(skip_services)


@pytest.fixture(autouse=True)
def _fresh_reference_rows():
    """Cached reference rows (tickets.refdata) are dropped on commit; a rolled-back test commits nothing."""
    from tickets import refdata

    refdata.forget_all()
    yield
    refdata.forget_all()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clear_calendar_cache()
    # Code run outside a request (services, tasks, commands) speaks the msgids' English in tests;
    # pages choose their language as in production (URL prefix, operator's choice, Italian default).
    with translation.override("en"):
        yield


@pytest.fixture
def office(db):
    return OfficeFactory(code="roma", name="Questura di Roma")


@pytest.fixture
def front_queue(office):
    return QueueFactory(office=office, name="Front office", tier=Tier.FRONT)


@pytest.fixture
def back_queue(office):
    return QueueFactory(office=office, name="Back office", tier=Tier.BACK, first_response_hours=8, resolution_hours=80)


@pytest.fixture
def citizen(db):
    return CitizenFactory(first_name="Youssef", last_name="El Amrani", email="youssef@example.org")


@pytest.fixture
def front_operator(front_queue):
    return make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Anna Rossi", username="anna")


@pytest.fixture
def front_operator_2(front_queue):
    return make_operator(role=Role.FRONT_OFFICE, queues=[front_queue], name="Bruno Verdi", username="bruno")


@pytest.fixture
def back_operator(back_queue):
    return make_operator(role=Role.BACK_OFFICE, queues=[back_queue], name="Marta Ferri", username="marta")


@pytest.fixture
def supervisor(front_queue, back_queue):
    return make_operator(role=Role.SUPERVISOR, queues=[front_queue, back_queue], name="Paola Conti", username="paola")


@pytest.fixture
def ticket(front_queue, back_queue, citizen):
    return open_test_ticket(front_queue, citizen)


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 receiving what Django sends (tests/smtp.py); `.messages` holds them."""
    from .smtp import SmtpSink

    sink = SmtpSink().start()
    for name, value in sink.email_settings.items():
        setattr(settings, name, value)
    yield sink
    sink.stop()


def login_verified(client, user):
    """Log a staff user in with an OTP-verified session (supervisors and administrators need it).

    Creates a confirmed TOTP device when the user has none and marks the session as verified the
    way django_otp.login does, so the two-factor gate lets the client through.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="tests", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def current_totp(user) -> str:
    """The code the user's authenticator app would show now (creates a confirmed device if needed)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="tests", confirmed=True
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def complete_two_factor(page, user) -> None:
    """Browser tests: call right after submitting the login form; passes the TOTP step if the gate asks."""
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/" not in page.url:
        return
    page.fill("#two-factor-form input[name=token]", current_totp(user))
    page.click("#two-factor-form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the second factor that administrators must pass."""
    login_verified(client, admin_user)
    return client


def pytest_itemcollected(item):
    """Transactional tests (live_server, workers, races) flush the database when they end.

    Serialized rollback cannot be trusted to restore what the data migrations wrote:
    content types re-created between two such tests collide with the serialized rows.
    So every transactional test runs without it, and `_restore_migration_data` puts
    the migrations' data (topics, role groups, canned replies) back before it starts.
    """
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = (
        "live_server" in names
        or "transactional_db" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if transactional:
        kwargs = dict(marker.kwargs) if marker is not None else {}
        kwargs.update(transaction=True, serialized_rollback=False)
        item.own_markers.insert(0, pytest.mark.django_db(**kwargs).mark)


# (app, migration, function) of every data migration whose rows a flush removes.
DATA_MIGRATIONS = [
    ("tickets", "0002_topics_and_database_rules", "seed_topics"),
    ("operators", "0002_role_groups", "create_groups"),
    ("faq", "0004_faq_permissions", "grant"),
    ("operators", "0005_starter_canned_replies", "create"),
]
_state_apps = None


@pytest.fixture(autouse=True)
def _restore_migration_data(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    global _state_apps
    if _state_apps is None:
        _state_apps = MigrationLoader(connection).project_state().apps
    for app, migration, function in DATA_MIGRATIONS:
        module = importlib.import_module(f"{app}.migrations.{migration}")
        getattr(module, function)(_state_apps, None)
