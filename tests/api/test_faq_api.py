"""The public FAQ through the API: no credentials, one language per request, Italian as fallback."""

import pytest

from faq.models import FaqEntry, FaqTopic, PublicationStatus


@pytest.fixture
def faq(db):
    topic = FaqTopic.objects.create(
        slug="permessi", name_it="Permessi", name_en="Permits", translation_en="ready", position=1
    )
    published = FaqEntry.objects.create(
        topic=topic,
        slug="rinnovo",
        question_it="Come rinnovo il permesso?",
        question_en="How do I renew my permit?",
        answer_it="<p>Con il kit postale.</p>",
        answer_en="<p>With the postal kit.<script>alert(1)</script></p>",
        translation_en="ready",
        status=PublicationStatus.PUBLISHED,
    )
    draft = FaqEntry.objects.create(
        topic=topic, slug="bozza", question_it="Bozza", answer_it="<p>bozza</p>", status=PublicationStatus.DRAFT
    )
    return published, draft


def test_faq_is_public_and_per_language(client, faq):
    published, draft = faq
    english = client.get("/api/v1/faq/?lang=en").json()
    assert [e["question"] for e in english[0]["entries"]] == ["How do I renew my permit?"]
    assert "<script" not in english[0]["entries"][0]["answer"]
    italian = client.get("/api/v1/faq/", HTTP_ACCEPT_LANGUAGE="it").json()
    assert italian[0]["entries"][0]["question"] == "Come rinnovo il permesso?"


def test_untranslated_language_falls_back_to_italian(client, faq):
    published, _draft = faq
    body = client.get(f"/api/v1/faq/{published.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (body["question"], body["fallback"], body["language"]) == ("Come rinnovo il permesso?", True, "it")


def test_drafts_are_not_public(client, faq):
    _published, draft = faq
    assert client.get(f"/api/v1/faq/{draft.pk}/").status_code == 404


def test_faq_refuses_writes(client, faq):
    assert client.post("/api/v1/faq/", {}).status_code in (403, 405)
