"""The OpenAPI document says what the server answers (issue 13, the hostile hour, item 7; issue 17).

Every other test's answers are checked against the document by the shared clients
(tests/support/openapi_conformance.py); these tests prove the check bites, and cover the answers
that no other test asks for."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import httpx
import pytest
from openapi_spec_validator import validate

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture
from tests.support.openapi_conformance import ConformanceCheck

V1 = "/v1/Accounts/{account_sid}"


def test_the_document_is_valid_openapi_3_1(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_dialect_operation_documents_a_success_schema(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        if path.startswith("/admin/"):
            continue
        for method, operation in item.items():
            ok = operation["responses"].get("200") or operation["responses"].get("204")
            assert ok is not None, (method, path)
            if path.startswith("/exotelrecordings/") or ok is operation["responses"].get("204"):
                continue
            content = ok.get("content", {})
            assert content, (method, path)
            for media in content.values():
                assert media.get("schema"), (method, path)


def test_v1_details_and_numbers_have_their_own_json_paths(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths[f"{V1}/Calls/{{call_sid}}.json"]["get"]["operationId"] == "v1_calls_get"
    assert paths[f"{V1}/Numbers/{{number}}.json"]["get"]["operationId"] == "v1_numbers_get"
    xml = paths[f"{V1}/Calls/{{call_sid}}"]["get"]["responses"]["200"]["content"]["application/xml"]
    assert xml["schema"]["xml"]["name"] == "TwilioResponse"


def test_admin_documents_its_400_and_404_never_a_422(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        if not path.startswith("/admin/"):
            continue
        for operation in item.values():
            assert "422" not in operation["responses"], path
            assert {"400", "401", "404"} <= set(operation["responses"]), path


def test_v1_details_404_is_documented_and_answered(client: httpx.Client, account: AccountFixture) -> None:
    missing = "a" * 32
    answer = client.get(f"/v1/Accounts/{account.sid}/Calls/{missing}.json", auth=account.auth)
    assert answer.status_code == 404
    assert answer.json()["RestException"]["Status"] == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/Accounts/{sid}/Calls/{missing}.json", {"GET", "HEAD"}),
        ("PUT", "/v1/Accounts/{sid}/Calls/connect.json", {"POST"}),
        ("DELETE", "/v2/accounts/{sid}/calls", {"POST"}),
        ("OPTIONS", "/v2/Numbers/+61299998888", {"GET", "POST"}),
        ("DELETE", "/exotelrecordings/{sid}/{missing}.mp3", {"GET", "HEAD"}),
        ("POST", "/admin/clock", {"GET"}),
    ],
)
def test_a_405_names_every_method_in_allow(
    client: httpx.Client, account: AccountFixture, method: str, path: str, allowed: set[str]
) -> None:
    url = path.format(sid=account.sid, missing="a" * 32)
    answer = client.request(method, url, auth=account.auth, headers=ADMIN if "/admin/" in url else None)
    assert answer.status_code == 405
    assert allowed <= {m.strip() for m in answer.headers["allow"].split(",")}


def test_the_admin_api_answers_unknown_paths_in_its_envelope(client: httpx.Client) -> None:
    answer = client.get("/admin/no-such-thing", headers=ADMIN)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not-found"


def test_the_check_fails_an_answer_the_document_does_not_describe(
    client: httpx.Client, account: AccountFixture
) -> None:
    document = client.get("/openapi.json").json()
    wrong = copy.deepcopy(document)
    call = wrong["components"]["schemas"]["V1Number"]
    call["properties"]["Circle"] = {"type": "integer"}
    check = ConformanceCheck(wrong)
    with httpx.Client(base_url=str(client.base_url), event_hooks={"response": [check]}) as strict:
        with pytest.raises(AssertionError, match="Circle"):
            strict.get(f"/v1/Accounts/{account.sid}/Numbers/9876543210.json", auth=account.auth)
        with pytest.raises(AssertionError, match="not documented"):
            del wrong["paths"][f"{V1}/Calls/{{call_sid}}.json"]["get"]["responses"]["404"]
            check.document = ConformanceCheck(wrong).document
            strict.get(f"/v1/Accounts/{account.sid}/Calls/{'a' * 32}.json", auth=account.auth)


def test_an_xml_error_echoing_a_control_character_is_well_formed(
    client: httpx.Client, account: AccountFixture
) -> None:
    answer = client.get(f"/v1/Accounts/{account.sid}/Calls", params={"Sid": "\x08"}, auth=account.auth)
    assert answer.status_code == 400
    assert "\ufffd" in ET.fromstring(answer.content).findtext("RestException/Message", "")


def test_the_recording_416_declares_content_range_with_the_size(client: httpx.Client) -> None:
    """A player that asked past the end learns the size from ``Content-Range: bytes */<size>``; the
    document says so, and marks it required, so the shared conformance hook checks every 416 the
    suite receives (tests/recordings asks for one)."""
    paths = client.get("/openapi.json").json()["paths"]
    recordings = [item for path, item in paths.items() if path.startswith("/exotelrecordings/")]
    assert recordings
    header = recordings[0]["get"]["responses"]["416"]["headers"]["Content-Range"]
    assert header["required"] is True
    assert header["schema"]["pattern"] == r"^bytes \*/[0-9]+$"


def test_the_required_header_check_fails_a_416_without_content_range(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    path = next(p for p in document["paths"] if p.startswith("/exotelrecordings/"))
    headers = document["paths"][path]["get"]["responses"]["416"]["headers"]
    check = ConformanceCheck(document)
    request = httpx.Request(
        "GET", str(client.base_url) + path.replace("{account_sid}", "a").replace("{file}", "b.mp3")
    )
    answer = httpx.Response(
        416, request=request, json={"RestException": {}}, headers={"Content-Range": "bytes 0-1/2"}
    )
    with pytest.raises(AssertionError, match="header Content-Range"):
        check(answer)
    del headers["Content-Range"]["schema"]
    with pytest.raises(AssertionError, match="required header X-Missing"):
        headers["X-Missing"] = {"required": True}
        check(httpx.Response(416, request=request, headers={"Content-Range": "bytes */2"}))


def test_v1_numbers_get_has_an_example(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ok = paths[f"{V1}/Numbers/{{number}}.json"]["get"]["responses"]["200"]["content"]["application/json"]
    number = ok["example"]["Numbers"]
    assert number["PhoneNumber"].startswith("0")
    assert number["Circle"] and number["Type"]
