import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from faq.models import FaqEntry, FaqFeedback, TranslationState
from tests.conftest import login_verified

from .factories import FaqEntryFactory, FaqTopicFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def url(name, language="it", *args):
    with translation.override(language):
        return reverse(name, args=args)


def test_root_redirects_to_the_language_prefix(client):
    assert client.get("/").headers["Location"] == "/it/"
    client.cookies["django_language"] = "fr"
    assert client.get("/").headers["Location"] == "/fr/"
    assert client.get("/", headers={"accept-language": "es"}).headers["Location"] == "/fr/"


@pytest.mark.parametrize("language", ["it", "en", "fr", "es"])
def test_every_portal_page_answers_in_every_language(client, seeded_faq, language):
    entry = FaqEntry.objects.get(slug="quando-rinnovare-permesso")
    pages = [
        url("portal:home", language),
        url("portal:faq", language),
        url("portal:faq_topic", language, entry.topic.slug),
        url("portal:faq_entry", language, entry.topic.slug, entry.slug),
        url("portal:search", language) + "?q=permesso",
        url("portal:procedures", language),
        url("portal:procedure", language, "rinnovo-permesso-lavoro-subordinato"),
        url("portal:offices", language),
        url("portal:privacy", language),
        url("portal:request_new", language),
        url("portal:status", language),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'<html lang="{language}">' in response.text
        # hreflang alternates to the same page in the four languages
        for other in ("it", "en", "fr", "es"):
            assert f'hreflang="{other}"' in response.text


def test_entry_shows_content_in_the_citizen_language(client, seeded_faq):
    entry = FaqEntry.objects.get(slug="quando-rinnovare-permesso")
    response = client.get(url("portal:faq_entry", "es", entry.topic.slug, entry.slug))
    assert "¿Cuándo tengo que pedir la renovación del permiso de residencia?" in response.text
    assert "Text available in Italian only" not in response.text


def test_missing_translation_falls_back_to_italian_visibly(client):
    entry = FaqEntryFactory(
        question_it="Come si chiede il duplicato?",
        answer_it="<p>Con il kit postale.</p>",
        question_fr="Comment demander un duplicata ?",
        translation_fr=TranslationState.TO_REVIEW,  # written but not reviewed: not shown yet
    )
    response = client.get(url("portal:faq_entry", "fr", entry.topic.slug, entry.slug))
    assert response.status_code == 200
    assert "Come si chiede il duplicato?" in response.text
    assert "Comment demander un duplicata" not in response.text
    with translation.override("fr"):
        assert translation.gettext("Text available in Italian only") in response.text
    assert '<div lang="it">' in response.text


def test_only_published_entries_are_shown(client):
    topic = FaqTopicFactory()
    FaqEntryFactory(topic=topic, slug="pubblicata", question_it="Domanda pubblicata")
    draft = FaqEntryFactory(topic=topic, slug="bozza", question_it="Domanda in bozza", status="draft")
    listing = client.get(url("portal:faq"))
    assert "Domanda pubblicata" in listing.text
    assert "Domanda in bozza" not in listing.text
    assert client.get(url("portal:faq_entry", "it", topic.slug, draft.slug)).status_code == 404


def test_answer_html_is_sanitized(client):
    entry = FaqEntryFactory(answer_it='<p onclick="x()">Testo <script>alert(1)</script><strong>sicuro</strong></p>')
    response = client.get(url("portal:faq_entry", "it", entry.topic.slug, entry.slug))
    assert "<strong>sicuro</strong>" in response.text
    assert "alert(1)" not in response.text
    assert "onclick" not in response.text


def test_entry_shows_last_update_and_related_questions(client, seeded_faq):
    entry = FaqEntry.objects.get(slug="ricongiungimento-chi")
    response = client.get(url("portal:faq_entry", "en", entry.topic.slug, entry.slug))
    assert "What income do I need for family reunification?" in response.text  # related
    assert f'datetime="{entry.updated_at.isoformat()}"' in response.text or "Last update" in response.text


def test_feedback_lands_in_the_back_office(client, seeded_faq, front_operator):
    entry = FaqEntry.objects.get(slug="kit-postale-permesso")
    response = client.post(
        url("portal:faq_feedback", "en", entry.pk), {"useful": "no", "comment": "The post office had no kits."}
    )
    assert response.status_code == 302
    assert "thanks=1" in response.headers["Location"]
    feedback = FaqFeedback.objects.get()
    assert (feedback.useful, feedback.language, feedback.handled) == (False, "en", False)

    client.force_login(front_operator)
    inbox = client.get(reverse("portal_ops:feedback"))
    assert "The post office had no kits." in inbox.text
    client.post(reverse("portal_ops:feedback_handled", args=[feedback.pk]))
    assert "The post office had no kits." not in client.get(reverse("portal_ops:feedback")).text


def test_feedback_inbox_is_for_staff_only(client):
    response = client.get(reverse("portal_ops:feedback"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]


def test_procedure_page_lists_documents_fees_and_opening_hours(client, office):
    ProcedureFactory(slug="rinnovo", office=office)
    response = client.get(url("portal:procedure", "it", "rinnovo"))
    assert "Quattro fototessere" in response.text
    assert "Marca da bollo da 16 euro" in response.text
    assert "09:00–13:00, 14:00–17:00" in response.text
    assert "data-print" in response.text


def test_offices_page_shows_channels_and_whether_open(client, office):
    office.toll_free_number = "+39800123456"
    office.whatsapp_number = "+393331112222"
    office.voip_id = "questura.roma"
    office.save()
    response = client.get(url("portal:offices", "en"))
    assert "questura.roma" in response.text
    assert "wa.me/393331112222" in response.text
    assert ("Open now" in response.text) or ("Closed now" in response.text)


@pytest.mark.parametrize("rows", [2, 20])
def test_faq_list_query_count_does_not_grow(client, rows, django_assert_max_num_queries):
    topic = FaqTopicFactory()
    for index in range(rows):
        FaqEntryFactory(topic=topic, slug=f"e-{index}")
    with django_assert_max_num_queries(3):  # topics, entries (+ a spare)
        assert client.get(url("portal:faq", "en")).status_code == 200


def test_language_switch_keeps_the_page_and_is_remembered(client, seeded_faq):
    page = client.get(url("portal:offices", "fr"))
    assert reverse("portal_ops:switch_language") in page.text
    response = client.post(reverse("portal_ops:switch_language"), {"language": "es", "next": "/fr/offices/"})
    assert response.headers["Location"] == "/es/offices/"
    assert client.get("/").headers["Location"] == "/es/"


def test_a_supervisor_edits_faq_in_the_admin_and_only_published_reaches_the_portal(client, supervisor):
    topic = FaqTopicFactory()
    login_verified(client, supervisor)  # the admin is for supervisors and administrators
    response = client.post(
        reverse("admin:faq_faqentry_add"),
        {
            "topic": topic.pk,
            "slug": "nuova",
            "question_it": "Domanda nuova?",
            "answer_it": "<p>Risposta <script>x()</script>nuova.</p>",
            "status": "draft",
            "position": 0,
            "translation_en": "missing",
            "translation_fr": "missing",
            "translation_es": "missing",
        },
    )
    assert response.status_code == 302, response.content[:1500]
    entry = FaqEntry.objects.get(slug="nuova")
    assert entry.answer_it == "<p>Risposta nuova.</p>"
    citizen = Client()
    assert "Domanda nuova?" not in citizen.get(url("portal:faq")).text
    entry.status = "published"
    entry.save()
    assert "Domanda nuova?" in citizen.get(url("portal:faq")).text


def test_hreflang_alternates_point_to_the_same_page_in_each_language(client, seeded_faq):
    response = client.get(url("portal:search", "en") + "?q=permit")
    for code in ("it", "en", "fr", "es"):
        assert f'hreflang="{code}" href="http://testserver/{code}/search/?q=permit"' in response.text


def test_header_and_footer_follow_each_request_once_cached(client, seeded_faq, settings):
    client.get(url("portal:faq", "it"))  # renders and keeps the header and footer parts
    offices = client.get(url("portal:offices", "it") + "?q=rinnovo+kit").text
    assert 'href="/it/offices/" aria-current="page"' in offices
    assert 'href="/it/faq/" aria-current="page"' not in offices
    assert 'name="q" value="rinnovo kit"' in offices  # the header search box repeats this request's words
    assert 'name="next" value="/it/offices/?q=rinnovo+kit"' in offices
    english = client.get(url("portal:offices", "en")).text
    assert "Skip to main content" in english and "Passa al contenuto principale" not in english
    settings.SPORTELLO_CONTACT_PHONE = "06 1234 5678"
    assert 'href="tel:0612345678"' in client.get(url("portal:offices", "en")).text
