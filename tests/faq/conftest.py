import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Rate limits (Redis on the PostgreSQL run) and cached pages start empty in every test.
    from faq.selectors import forget_search_generation

    for alias in ("default", "portal"):
        caches[alias].clear()
    forget_search_generation()
    yield
    for alias in ("default", "portal"):
        caches[alias].clear()


@pytest.fixture
def seeded_faq(db, office):
    from faq.demo import seed_faq

    seed_faq()
