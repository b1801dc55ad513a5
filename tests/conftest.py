"""Fixtures shared by the techmarket test suite (tests/techmatch has its own)."""

import pytest
from django.core.cache import cache
from django.test import Client
from factories import UserFactory, make_bureau, make_operator

PASSWORD = "Sb7!kq-mountain-river"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits, login lockout windows and API throttles live in the cache: start every test empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(password=PASSWORD)


@pytest.fixture
def operator(db):
    return make_operator(password=PASSWORD)


@pytest.fixture
def bureau_user(db):
    return make_bureau(password=PASSWORD)


@pytest.fixture
def user_client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def operator_client(operator) -> Client:
    c = Client()
    c.force_login(operator)
    return c
