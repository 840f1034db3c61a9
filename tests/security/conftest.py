import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted in English; a request in Khmer must not leak over."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def clean_cache():
    cache.clear()
    yield cache
    cache.clear()
