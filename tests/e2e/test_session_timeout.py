"""In Chromium: the desk's automatic refreshes do not keep a session open; the operator is warned first.

With the idle limit at 30 s: the page's polls carry the poll header, the warning opens before the
end, one click keeps the session open, and without it the tab goes to the sign-in page.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_desk import _serialize_sqlite, browser, desk  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_polls_do_not_extend_the_session_and_the_warning_does(desk, front_operator, front_queue, settings):  # noqa: F811
    settings.SPORTELLO_SESSION_IDLE_SECONDS = 30
    page = desk(front_operator, "/desk/")
    polls = []
    page.on("request", lambda request: polls.append(request) if "/desk/calls/ringing/" in request.url else None)

    page.wait_for_selector("#session-warning[open]", timeout=30_000)
    assert polls, "the caller pop-up did not poll"
    assert all(request.headers.get("x-sportello-poll") == "1" for request in polls)
    assert "It will close in" in page.inner_text("#session-warning")

    page.click("#session-warning [data-session-extend]")
    page.wait_for_selector("#session-warning:not([open])", state="attached", timeout=5_000)
    assert "/desk/" in page.url

    # Nobody answers the second warning: the tab leaves for the sign-in page, back here afterwards.
    page.wait_for_url("**/accounts/login/?next=%2Fdesk%2F", timeout=45_000)
    assert page.problems == []
