"""Level 3: schemathesis drives every operation in /api/openapi.json with generated requests (bounded
examples), anonymously and with a read/write token, and no request may end in a server error (5xx).
Token deletion is left out (it would revoke the token under test). Runs on SQLite and on PostgreSQL
(make test runs the suite on both): the fixture keeps the test's database connection open across the
WSGI requests, as django.test.Client does."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from techmarket.accounts.services import api_token_create

MAX_EXAMPLES = 4

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
    method="DELETE", path_regex=r"^/api/accounts/tokens"
)


@pytest.fixture
def api_setup(settings, db):
    from factories import MembershipFactory, OrganizationFactory, UserFactory

    settings.API_RATE_ANONYMOUS_PER_MINUTE = 100_000
    # Like django.test.Client: a request through the WSGI app must not close the test's database
    # connection at its end (PostgreSQL would lose the test transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory())
    _token, secret = api_token_create(user=user, name="schemathesis", scopes=["read", "write"])
    yield {"Authorization": f"Bearer {secret}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


hypothesis_settings = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@hypothesis_settings
def test_api_anonymous_requests_never_cause_a_server_error(case, api_setup):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@hypothesis_settings
def test_api_token_requests_never_cause_a_server_error(case, api_setup):
    case.call_and_validate(headers=api_setup, checks=[not_a_server_error])
