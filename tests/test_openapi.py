"""`GET /api/v1/schema/`: the OpenAPI 3 document of the REST API, complete and valid."""

from __future__ import annotations

import re

import openapi_spec_validator
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


# --- issue 11: the document is the truth -------------------------------------------------------


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_document_passes_openapi_spec_validator(schema):
    # A blank-allowed email's default "" used to sit where only an email is valid.
    openapi_spec_validator.validate(schema)


LISTS = [
    "/api/v1/operators",
    "/api/v1/teams",
    "/api/v1/inboxes",
    "/api/v1/conversations",
    "/api/v1/contacts",
    "/api/v1/labels",
    "/api/v1/notifications",
    "/api/v1/canned-responses",
    "/api/v1/conversations/{conversation_id}/messages",
    "/api/widget/v1/messages",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_documented_as_a_page_with_results_and_next(schema, path):
    response = schema["paths"][path]["get"]["responses"]["200"]
    page = _resolve(response["content"]["application/json"]["schema"], schema)

    assert page["type"] == "object"
    assert set(page["required"]) == {"results", "next"}
    assert page["properties"]["results"]["type"] == "array"
    assert page["properties"]["next"]["nullable"] is True


def test_every_error_response_refers_to_the_one_error_component(schema):
    errors = 0
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                errors += 1
                content = response["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert errors > 100
    detail = _resolve(schema["components"]["schemas"]["Error"]["properties"]["error"], schema)
    assert set(detail["required"]) == {"code", "message"}


def test_sending_a_message_documents_every_error_it_can_answer(schema):
    responses = schema["paths"]["/api/v1/conversations/{conversation_id}/messages"]["post"][
        "responses"
    ]

    assert {"400", "401", "403", "404", "413", "415", "429"} <= set(responses)


def test_domain_conflicts_are_documented_where_they_happen(schema):
    assert (
        "409"
        in schema["paths"]["/api/v1/conversations/{conversation_id}/assign"]["post"]["responses"]
    )
    assert "409" in schema["paths"]["/api/widget/v1/csat"]["post"]["responses"]
    assert "401" in schema["paths"]["/api/v1/auth/token"]["post"]["responses"]


def _query(schema: dict, path: str) -> dict[str, dict]:
    parameters = schema["paths"][path]["get"]["parameters"]
    return {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}


def test_query_limits_are_declared_as_they_are_enforced(schema):
    messages = _query(schema, "/api/v1/conversations/{conversation_id}/messages")
    conversations = _query(schema, "/api/v1/conversations")

    assert (messages["limit"]["minimum"], messages["limit"]["maximum"]) == (1, 500)
    assert messages["after_seq"]["minimum"] == 0
    assert (conversations["limit"]["minimum"], conversations["limit"]["maximum"]) == (1, 100)
    assert conversations["q"]["maxLength"] == 200
    assert _query(schema, "/api/widget/v1/messages")["limit"]["maximum"] == 500


def test_the_widget_api_documents_its_visitor_token(schema):
    scheme = schema["components"]["securitySchemes"]["visitorToken"]

    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path in ["/api/widget/v1/messages", "/api/widget/v1/csat", "/api/widget/v1/contact"]:
        for operation in schema["paths"][path].values():
            assert operation["security"] == [{"visitorToken": []}], path
    assert schema["paths"]["/api/widget/v1/sessions"]["post"].get("security") in (None, [{}])


def test_revoking_a_token_documents_the_bearer_token_it_needs(schema):
    operation = schema["paths"]["/api/v1/auth/token"]["delete"]

    assert operation["security"] == [{"bearerAuth": []}]
    assert set(operation["responses"]) == {"204", "401"}  # nothing else can refuse it


def test_a_conversation_status_body_documents_conversation_statuses(schema):
    # Two serializers named StatusSerializer once shared one component: the operator's statuses.
    path = "/api/v1/conversations/{conversation_id}/status"
    body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    status = _resolve(_resolve(body, schema)["properties"]["status"], schema)

    assert status["enum"] == ["open", "pending", "resolved"]


def test_a_message_body_is_documented_as_the_text_it_must_be(schema):
    body = schema["components"]["schemas"]["MessageCreateRequest"]["properties"]["body"]

    assert (body["type"], body["minLength"], body["maxLength"]) == ("string", 1, 10_000)
    assert re.search(body["pattern"], "hello")
    assert not re.search(body["pattern"], " \n ")


def test_assigning_documents_exactly_one_of_operator_and_team(schema):
    assign = schema["components"]["schemas"]["AssignRequest"]

    assert [branch["required"] for branch in assign["oneOf"]] == [["operator"], ["team"]]


def test_a_blank_name_is_documented_as_refused(schema):
    name = schema["components"]["schemas"]["TeamCreateRequest"]["properties"]["name"]

    assert not re.search(name["pattern"], "\r")
    assert re.search(name["pattern"], " Sales ")


def test_an_empty_query_parameter_is_documented_as_one_not_sent(schema):
    # `?limit=` is read as no limit given (the default), on every list; a required parameter
    # (`by`, `metric` of the reports) must have a value.
    for path, _method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                expected = None if parameter.get("required") else True
                assert parameter.get("allowEmptyValue") is expected, (path, parameter["name"])


def test_assigning_documents_that_a_body_is_required(schema):
    operation = schema["paths"]["/api/v1/conversations/{conversation_id}/assign"]["post"]

    assert operation["requestBody"]["required"] is True
