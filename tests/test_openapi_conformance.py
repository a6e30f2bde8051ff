"""The product answers as its own OpenAPI document says: schemathesis, all its checks, against a
real uvicorn process serving `GET /api/v1/schema/`.

Operator and admin operations (`/api/v1/`) run as an admin (a generated
`DELETE /api/v1/auth/token` gets a token of its own: it revokes the one it is sent with); the
widget's (`/api/widget/v1/`) as a visitor whose token comes from
`POST /api/widget/v1/sessions`, as the contract says; the API channel's (`/api/channel/v1/`)
with an API inbox's token. The number of examples is bounded so the
whole run stays under two minutes.
`docs/operations.md` says how to run the same against a running product from the command line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from django.core.management import call_command
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from chats.connectors.api_channel.setup import api_inbox_create
from chats.models import Inbox
from operators.models import Role
from operators.services import token_issue
from tests import schemathesis_hooks  # the cursor, password and report period rules
from tests.factories import InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import serving

# `django_db` sets the test database up (and rolls back what a test itself writes); what the
# server writes is committed, and flushed when the module ends (see `product`).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Per operation: the schema's examples and coverage cases, then this many generated ones.
MAX_EXAMPLES = 5
SPARE_TOKENS = 200
ADMIN_ID = 2**62 + 7


def generated_document() -> dict[str, Any]:
    """The document `GET /api/v1/schema/` serves, generated in-process: the tests are made when
    this module is collected, before the test database and the server exist (a request through
    Django here would open a database connection to the development database, which the test
    database's setup would not redirect)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(OpenApiJsonRenderer().render(document)))


@dataclass
class Product:
    url: str
    admin_token: str
    visitor_token: str
    inbox_token: str
    # Tokens for `DELETE /api/v1/auth/token`, which revokes the one it is sent with.
    spare_tokens: list[str]

    def authorize(self, case: Any) -> None:
        """Real credentials for the placeholders the auth providers put in."""
        headers = case.headers or {}
        if headers.get("Authorization") == ADMIN:
            token = self.admin_token
            if case.method == "DELETE" and case.path == "/api/v1/auth/token" and self.spare_tokens:
                token = self.spare_tokens.pop()
            headers["Authorization"] = f"Bearer {token}"
        elif headers.get("Authorization") == VISITOR:
            headers["Authorization"] = f"Bearer {self.visitor_token}"
        elif headers.get("Authorization") == INBOX:
            headers["Authorization"] = f"Bearer {self.inbox_token}"


def visitor_session(url: str, inbox: Inbox) -> str:
    """A visitor token as a site's widget gets one, with a first message sent."""
    with httpx.Client(base_url=url, timeout=10) as client:
        session = client.post("/api/widget/v1/sessions", json={"inbox_key": inbox.inbox_key})
        assert session.status_code == 201, session.text
        token = session.json()["visitor_token"]
        sent = client.post(
            "/api/widget/v1/messages",
            json={"body": "Hello", "client_id": "first"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 201, sent.text
    return str(token)


@pytest.fixture(scope="module")
def product(django_db_setup: None, django_db_blocker: Any) -> Iterator[Product]:
    """One uvicorn process and its data (committed, as the server reads them) for the module;
    the test database is flushed afterwards, as after any transactional test. Rate limits are off:
    schemathesis sends hundreds of requests as one operator and one visitor, and 429s would
    hide what it is looking for."""
    # The module's `django_db` mark makes pytest-django set the test database up; without it
    # this would write to, and flush, the development database.
    assert connection.settings_dict["NAME"].startswith("test_"), "not on the test database"
    try:
        env = {"RATE_LIMITS": "off", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
        with serving(env) as url:
            with django_db_blocker.unblock():
                team = TeamFactory()
                # An id no generated path reaches: `PATCH /api/v1/operators/{id}` may
                # deactivate whom it names, or change their password.
                admin = OperatorFactory(id=ADMIN_ID, role=Role.ADMIN, teams=[team])
                inbox = InboxFactory(team=team)
                admin_token, *spare = [
                    token_issue(operator=admin)[1] for _ in range(SPARE_TOKENS + 1)
                ]
                crm = api_inbox_create(webhook_url=None, name="CRM", team=team)
            running = Product(url, admin_token, visitor_session(url, inbox), crm.inbox_token, spare)
            me = httpx.get(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {admin_token}"})
            assert me.json()["role"] == "admin", me.text  # the server sees what the test wrote
            yield running
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def test_the_served_document_passes_openapi_spec_validator(product):
    document = httpx.get(f"{product.url}/api/v1/schema/", timeout=10).json()

    validate(document)  # raises on any violation of the OpenAPI 3.0 specification
    assert document == generated_document()  # the one the operations below are tested against


schema = schemathesis.openapi.from_dict(generated_document())


# Schemathesis builds some cases while collecting, before the product runs: the providers put
# a placeholder where the credentials go, and the test puts in the real ones just before the
# call. A case that tests a missing or wrong token gets none (schemathesis skips `set`).
ADMIN, VISITOR, INBOX = "Bearer <admin>", "Bearer <visitor>", "Bearer <inbox>"


@schema.auth(refresh_interval=None).apply_to(path_regex="^/api/v1/")
class AdminBearerToken:
    def get(self, case: Any, context: Any) -> str:
        return ADMIN

    def set(self, case: Any, placeholder: str, context: Any) -> None:
        case.headers["Authorization"] = placeholder


@schema.auth(refresh_interval=None).apply_to(path_regex="^/api/widget/")
class VisitorBearerToken:
    def get(self, case: Any, context: Any) -> str:
        return VISITOR

    def set(self, case: Any, placeholder: str, context: Any) -> None:
        case.headers["Authorization"] = placeholder


@schema.auth(refresh_interval=None).apply_to(path_regex="^/api/channel/")
class InboxBearerToken:
    def get(self, case: Any, context: Any) -> str:
        return INBOX

    def set(self, case: Any, placeholder: str, context: Any) -> None:
        case.headers["Authorization"] = placeholder


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, product):
    if not schemathesis_hooks.real_query(case.path, case.query):
        return  # a request no client makes (`tests/schemathesis_hooks.py`)
    product.authorize(case)
    schemathesis_hooks.reachable_urls(case)
    case.call_and_validate(
        base_url=product.url, excluded_checks=schemathesis_hooks.checks_not_for(case.path)
    )
