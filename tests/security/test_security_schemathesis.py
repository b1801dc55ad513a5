"""Level 3: schemathesis drives every operation in /api/openapi.json with generated requests (bounded
examples), anonymously and with a read/write token, and no request may end in a server error (5xx).
Token deletion is left out (it would revoke the token under test)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from techmarket.accounts.services import api_token_create

MAX_EXAMPLES = 4

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
    method="DELETE", path_regex=r"^/api/accounts/tokens")


@pytest.fixture
def api_setup(settings, db):
    from factories import MembershipFactory, OrganizationFactory, UserFactory

    settings.API_RATE_ANONYMOUS_PER_MINUTE = 100_000
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory())
    _token, secret = api_token_create(user=user, name="schemathesis", scopes=["read", "write"])
    return {"Authorization": f"Bearer {secret}"}


hypothesis_settings = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                               phases=[Phase.explicit, Phase.generate],
                               suppress_health_check=list(HealthCheck))


@schema.parametrize()
@hypothesis_settings
def test_api_anonymous_requests_never_cause_a_server_error(case, api_setup):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@hypothesis_settings
def test_api_token_requests_never_cause_a_server_error(case, api_setup):
    case.call_and_validate(headers=api_setup, checks=[not_a_server_error])
