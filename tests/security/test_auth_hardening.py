import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_totp, login_verified

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.SPORTELLO_TWO_FACTOR_ENFORCED = True


def test_login_locks_out_after_repeated_failures(client, front_operator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "anna", "password": "wrong"})
    response = client.post(url, {"username": "anna", "password": "password-for-tests"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_good_password_signs_in_below_the_limit(client, front_operator):
    client.post(reverse("login"), {"username": "anna", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "anna", "password": "password-for-tests"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(front_operator.pk)


def test_supervisor_is_sent_to_the_two_factor_page(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "otpauth://totp/" in page.text


def test_supervisor_sets_up_totp_and_goes_on(client, supervisor):
    client.force_login(supervisor)
    client.get("/accounts/2fa/")  # creates the pending device and shows its secret
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    wrong = client.post("/accounts/2fa/", {"token": "000000", "next": "/desk/"})
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text  # the code is refused, in any language
    # django-otp slows down guessing after a failure; the user would simply wait a moment.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post("/accounts/2fa/", {"token": f"{code:06d}", "next": "/desk/"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert TOTPDevice.objects.get(user=supervisor).confirmed
    assert client.get("/api/v1/queues/").status_code == 200  # verified: the gate lets it through


def test_verify_with_an_existing_device(client, supervisor):
    code = current_totp(supervisor)
    client.force_login(supervisor)
    response = client.post("/accounts/2fa/", {"token": code, "next": "/api/v1/queues/"})
    assert response["Location"] == "/api/v1/queues/"


def test_next_cannot_leave_the_site(client, supervisor):
    code = current_totp(supervisor)
    client.force_login(supervisor)
    response = client.post("/accounts/2fa/", {"token": code, "next": "https://evil.example/"})
    assert "evil" not in response["Location"]


def test_front_office_does_not_need_two_factor(client, front_operator):
    client.force_login(front_operator)
    assert client.get("/api/v1/queues/").status_code == 200


def test_login_verified_helper(client, supervisor):
    login_verified(client, supervisor)
    assert client.get("/api/v1/queues/").status_code == 200


def test_idle_session_expires(client, front_operator, settings):
    from privacy.middleware import IDLE_KEY

    client.force_login(front_operator)
    assert client.get("/api/v1/queues/").status_code == 200
    session = client.session
    session[IDLE_KEY] = session[IDLE_KEY] - settings.SPORTELLO_SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get("/api/v1/queues/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_session_lifetime_is_bounded(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SPORTELLO_SESSION_IDLE_SECONDS <= 30 * 60


def test_check_deploy_reports_nothing():
    # The browser tests' module-level switch must not leak into a deployment check.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "sportello.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["style-src"] == "'self'"
    assert "data:" in directives["img-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_docs_relax_styles_only(client):
    response = client.get("/api/v1/docs/")
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" in csp.split("style-src", 1)[1].split(";", 1)[0]
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
