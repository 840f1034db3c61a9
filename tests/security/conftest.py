import pytest
from django.core.cache import cache


@pytest.fixture
def clean_cache():
    cache.clear()
    yield cache
    cache.clear()
