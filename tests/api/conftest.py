import pytest
from rest_framework.test import APIClient

from api.models import ApiToken


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def write_key(front_operator):
    _token, key = ApiToken.issue(name="protocollo", user=front_operator, scope=ApiToken.Scope.WRITE)
    return key


@pytest.fixture
def read_key(front_operator):
    _token, key = ApiToken.issue(name="cruscotto", user=front_operator, scope=ApiToken.Scope.READ)
    return key


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
