"""The privacy notice is linked from the acknowledgement e-mails and the desk's registration forms."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse


@pytest.mark.parametrize("lang", ["it", "en", "fr", "es"])
def test_acknowledgement_links_the_privacy_notice_in_the_citizens_language(ticket, lang, settings):
    context = {"ticket": ticket, "lang": lang, "status_url": "https://x/", "office": "Ufficio", "name": "Ana"}
    text = render_to_string("emails/acknowledgement_body.txt", context)
    html = render_to_string("emails/acknowledgement_body.html", context)
    url = f"{settings.SPORTELLO_PUBLIC_URL.rstrip('/')}/{lang}/privacy/"
    assert url in text
    assert f'href="{url}"' in html


@pytest.mark.parametrize("name", ["desk:log_call", "desk:register_mail"])
def test_desk_registration_forms_link_the_privacy_notice(client, front_operator, name):
    client.force_login(front_operator)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "/privacy/" in response.text
