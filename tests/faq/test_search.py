import pytest
from django.urls import reverse
from django.utils import translation

from faq.models import FaqEntry
from tests.conftest import login_verified

from .factories import FaqEntryFactory

pytestmark = pytest.mark.django_db


def search(client, language, query):
    with translation.override(language):
        return client.get(reverse("portal:search"), {"q": query})


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        # the word searched is inflected differently from the text
        ("it", "permessi", "Quando devo chiedere il rinnovo del permesso di soggiorno?"),
        ("en", "permits", "When should I apply to renew my residence permit?"),
        ("fr", "titres", "Quand dois-je demander le renouvellement de mon titre de séjour ?"),
        ("es", "permisos", "¿Cuándo tengo que pedir la renovación del permiso de residencia?"),
    ],
)
def test_search_finds_inflected_words_in_the_citizen_language(client, seeded_faq, language, query, expected):
    response = search(client, language, query)
    assert response.status_code == 200
    assert expected.replace("'", "&#x27;") in response.text
    assert "<mark>" in response.text  # the matching words are highlighted


def test_search_shows_only_published_entries(client, seeded_faq):
    FaqEntryFactory(slug="bozza", question_it="Permesso segreto in bozza", status="draft")
    assert "Permesso segreto in bozza" not in search(client, "it", "permesso segreto").text


def test_search_snippet_never_carries_markup_from_the_answer(client):
    FaqEntryFactory(answer_it="<p>Il permesso &lt;script&gt;alert(1)&lt;/script&gt; si rinnova</p>")
    response = search(client, "it", "permesso")
    assert "<script>" not in response.text


def test_empty_search_is_a_page_not_an_error(client, seeded_faq):
    assert search(client, "it", "").status_code == 200
    assert "0 answers found" in search(client, "en", "zzzzqqq").text


@pytest.mark.postgres
def test_typo_finds_the_answer_through_trigrams(client, seeded_faq):
    response = search(client, "it", "cittadinansa")
    assert "cittadinanza" in response.text.lower()
    assert "0 answers found" not in response.text


@pytest.mark.postgres
def test_search_vector_is_kept_current_on_save(seeded_faq):
    from faq.selectors import search_faq

    entry = FaqEntry.objects.get(slug="lavoro-stagionale")
    assert not search_faq("vendemmia", "it")
    entry.answer_it = "<p>Per la vendemmia si usa il permesso stagionale.</p>"
    entry.save()
    assert [hit.entry.slug for hit in search_faq("vendemmie", "it")] == ["lavoro-stagionale"]


@pytest.mark.postgres
def test_search_uses_the_language_configuration(seeded_faq):
    from faq.selectors import search_faq

    # Spanish stemming: "renovaciones" finds "renovación".
    assert any("renovación" in hit.entry.question for hit in search_faq("renovaciones", "es"))


def test_cached_search_shows_an_entry_published_in_the_admin(client, seeded_faq, admin_user):
    from faq.models import FaqTopic

    assert 'id="search-count">0 ' in search(client, "it", "vendemmia").text  # now cached
    login_verified(client, admin_user)  # administrators pass the second factor
    topic = FaqTopic.objects.get(slug="lavoro")
    response = client.post(
        reverse("admin:faq_faqentry_add"),
        {
            "topic": topic.pk,
            "slug": "vendemmia",
            "question_it": "Posso lavorare per la vendemmia?",
            "answer_it": "<p>Sì, con il permesso stagionale.</p>",
            "status": "published",
            "position": 0,
            "translation_en": "missing",
            "translation_fr": "missing",
            "translation_es": "missing",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    client.logout()
    assert "Posso lavorare per la vendemmia?" in search(client, "it", "vendemmia").text


def test_search_results_link_to_the_entry_in_the_page_language(client):
    entry = FaqEntryFactory(
        slug="rinnovo-kit",
        question_en="How do I renew my residence permit?",
        answer_en="<p>You renew the residence permit at the post office with the kit.</p>",
        translation_en="ready",
    )
    response = search(client, "en", "permit")
    assert f'href="/en/faq/{entry.topic.slug}/rinnovo-kit/"' in response.text
    assert "How do I renew my residence permit?" in response.text


def test_search_result_in_italian_is_marked_when_the_translation_is_not_ready(client):
    FaqEntryFactory(
        slug="bozza-inglese",
        question_en="Draft question about the permit",
        answer_en="<p>Draft answer about the permesso.</p>",
        translation_en="to_review",
    )
    response = search(client, "en", "permesso")
    assert "Come si rinnova il permesso di soggiorno?" in response.text
    assert "Draft" not in response.text  # neither the question nor the snippet of the draft
    assert 'lang="it"' in response.text


@pytest.mark.postgres
def test_first_search_is_one_statement(seeded_faq, django_assert_num_queries):
    from faq.selectors import search_faq

    # Rank and join in one round trip; nothing read again per hit, snippets cut in Python.
    with django_assert_num_queries(1):
        hits = search_faq("permessi", "it")
    assert hits and all(hit.snippet for hit in hits)


@pytest.mark.postgres
def test_typo_fallback_keeps_the_threshold(seeded_faq):
    from faq.selectors import search_faq

    assert search_faq("cittadinansa", "it")  # one letter wrong: found through trigrams
    assert not search_faq("zqxwvk", "it")  # nothing alike: no result rather than noise


def test_snippet_marks_the_words_of_the_query_stems_and_escapes_the_rest():
    from faq.selectors import highlighted_snippet, query_stems

    stems = query_stems("'permess' & 'rinnov' & !'studi'")
    assert stems == ("permess", "rinnov")  # the excluded word is not marked
    answer = (
        "<p>Per studio &amp; lavoro: il <b>permesso</b> di soggiorno si rinnova alla posta.</p>"
        "<p>" + "Poi si aspetta la convocazione della Questura per le impronte digitali. " * 3 + "</p>"
        "<p>I permessi scaduti da poco si possono ancora rinnovare &lt;script&gt;.</p>"
    )
    snippet = highlighted_snippet(answer, stems)
    assert "<mark>permesso</mark>" in snippet and "<mark>rinnova</mark>" in snippet
    assert "<mark>permessi</mark>" in snippet  # the second fragment, after a cut
    assert " … " in snippet and "studio" in snippet and "<mark>studio" not in snippet
    assert "<script>" not in snippet
    assert "<b>" not in snippet and "&amp;" in snippet
    assert highlighted_snippet("<p>Nessuna parola cercata qui.</p>", stems) == "Nessuna parola cercata qui."
