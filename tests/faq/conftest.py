import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limiters count in the cache (Redis on the PostgreSQL run): start every test at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded_faq(db, office):
    from faq.demo import seed_faq

    seed_faq()
