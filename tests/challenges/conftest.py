import pytest
from challenge_helpers import make_world


@pytest.fixture
def world(db):
    return make_world()
