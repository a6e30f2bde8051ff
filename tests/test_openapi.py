"""`GET /api/v1/schema/`: the OpenAPI 3 document of the REST API, complete and valid."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

# Every REST path of the contract (sections 1 and 2) with its methods.
CONTRACT = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get", "patch"},
    "/api/v1/operators": {"get", "post"},
    "/api/v1/operators/{operator_id}": {"patch"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/inboxes": {"get", "post"},
    "/api/v1/conversations": {"get"},
    "/api/v1/conversations/{conversation_id}": {"get"},
    "/api/v1/conversations/{conversation_id}/messages": {"get", "post"},
    "/api/v1/conversations/{conversation_id}/assign": {"post"},
    "/api/v1/conversations/{conversation_id}/status": {"post"},
    "/api/v1/conversations/{conversation_id}/labels": {"post"},
    "/api/v1/contacts/{contact_id}": {"get", "patch"},
    "/api/widget/v1/sessions": {"post"},
    "/api/widget/v1/messages": {"get", "post"},
    "/api/widget/v1/csat": {"post"},
}


@pytest.fixture(scope="module")
def schema() -> dict:
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_the_schema_is_public_and_a_valid_openapi_3_document(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert schema["info"]["version"]
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 meta-schema


@pytest.mark.parametrize(("path", "methods"), sorted(CONTRACT.items()))
def test_the_schema_lists_every_contract_path(schema, path, methods):
    assert path in schema["paths"], sorted(schema["paths"])
    assert methods <= set(schema["paths"][path])


def test_operation_ids_are_unique(schema):
    ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))


def test_the_conversation_list_documents_its_filters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/conversations"]["get"]["parameters"]}

    assert {"status", "assignee", "team", "inbox", "label", "q"} <= parameters


def test_message_lists_document_after_seq(schema):
    for path in ["/api/v1/conversations/{conversation_id}/messages", "/api/widget/v1/messages"]:
        parameters = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert "after_seq" in parameters, path


def test_creating_a_message_documents_201_and_200(schema):
    for path in ["/api/v1/conversations/{conversation_id}/messages", "/api/widget/v1/messages"]:
        responses = schema["paths"][path]["post"]["responses"]
        assert {"200", "201"} <= set(responses), path


def test_the_schema_documents_bearer_auth(schema):
    schemes = schema["components"]["securitySchemes"]

    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    me = schema["paths"]["/api/v1/me"]["get"]
    assert any("bearerAuth" in requirement for requirement in me["security"])
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert token.get("security") in (None, [], [{}])


def test_the_message_object_is_documented_with_the_contract_fields(schema):
    message = schema["components"]["schemas"]["Message"]["properties"]

    assert {
        "id",
        "conversation",
        "seq",
        "author",
        "body",
        "private",
        "attachments",
        "client_id",
        "created_at",
    } <= set(message)


def test_the_schema_is_also_served_as_yaml():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_spectacular_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    document = yaml.safe_load(target.read_text())
    assert set(CONTRACT) <= set(document["paths"])
