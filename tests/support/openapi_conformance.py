"""Every answer the test suite receives, checked against the server's own OpenAPI document.

``ConformanceCheck`` is an httpx response hook that the shared ``client``/``engine_client``
fixtures install (tests/conftest.py), so every test of every dialect checks, without a line of its
own, that the document describes what the server answered:

- the operation documents the status (5xx other than 503 aside: the hostile-input tests provoke
  some on purpose, and the schemathesis run asserts there are none);
- a wrong method's 405 names every documented method of the path in ``Allow``;
- every header the answer documents as required is there and matches its schema (a 416's
  ``Content-Range: bytes */<size>``);
- a JSON body validates against the documented schema of that operation and status;
- an XML body holds the same elements, in the same order, as that schema's properties.

Paths no operation describes (unknown paths, ``/docs``) are not checked: they answer 404s whose
envelope the dialect tests check themselves.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import httpx
from jsonschema import Draft202012Validator

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class _Path:
    template: str
    pattern: re.Pattern[str]
    item: dict[str, Any]


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


def _specificity(template: str) -> tuple[int, int]:
    """Concrete paths before templated ones, and the most literal text first."""
    params = template.count("{")
    literal = len(re.sub(r"\{[^}]+\}", "", template))
    return params, -literal


class Document:
    """The operations of one OpenAPI document, found by method and concrete path."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.paths = [
            _Path(template, _compile(template), item)
            for template, item in sorted(document["paths"].items(), key=lambda kv: _specificity(kv[0]))
        ]

    def path(self, concrete: str) -> _Path | None:
        concrete = re.sub("/{2,}", "/", concrete)
        if len(concrete) > 1:
            concrete = concrete.rstrip("/")
        for path in self.paths:
            if path.pattern.match(concrete):
                return path
        return None

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A schema with its ``$ref``/``allOf`` of one item/nullable ``anyOf`` followed."""
        while True:
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                schema = self.document["components"]["schemas"][name]
            elif "allOf" in schema and len(schema["allOf"]) == 1:
                schema = schema["allOf"][0]
            elif "anyOf" in schema:
                real = [s for s in schema["anyOf"] if s.get("type") != "null"]
                if len(real) != 1:
                    return schema
                schema = real[0]
            else:
                return schema

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator({**schema, "components": self.document["components"]})


class ConformanceCheck:
    """An httpx ``response`` hook failing the test whose answer the document does not describe."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = Document(document)

    def __call__(self, response: httpx.Response) -> None:
        request = response.request
        path = self.document.path(request.url.path)
        if path is None or (response.status_code >= 500 and response.status_code != 503):
            return  # a 503 (the database unreachable) is documented on every operation
        method = request.method.lower()
        documented = [m for m in _METHODS if m in path.item]
        where = f"{request.method} {request.url.path} -> {response.status_code} ({path.template})"
        if method == "head" and "get" in path.item:
            method = "get"
        if method not in path.item:
            if response.status_code == 405:
                allow = {m.strip().lower() for m in response.headers.get("allow", "").split(",")}
                missing = set(documented) - allow
                assert not missing, f"{where}: Allow {response.headers.get('allow')!r} lacks {missing}"
            return
        responses = path.item[method]["responses"]
        status = str(response.status_code)
        assert status in responses or "default" in responses, f"{where}: status not documented"
        documented_answer = responses.get(status) or responses["default"]
        for name, header in documented_answer.get("headers", {}).items():
            if header.get("required"):
                value = response.headers.get(name)
                assert value is not None, f"{where}: lacks the required header {name}"
                errors = list(self.document.validator(header.get("schema", {})).iter_errors(value))
                assert not errors, f"{where}: header {name}: {errors[0].message}"
        if request.method == "HEAD" or response.status_code in (204, 304):
            return
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        content = documented_answer.get("content", {})
        if content_type not in ("application/json", "application/xml"):
            return
        assert content_type in content, f"{where}: {content_type} not documented ({sorted(content)})"
        schema = content[content_type].get("schema")
        if schema is None:
            return
        response.read()
        if content_type == "application/json":
            errors = sorted(self.document.validator(schema).iter_errors(response.json()), key=str)
            assert not errors, f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}"
        else:
            root = ET.fromstring(response.content)
            xml_name = schema.get("xml", {}).get("name")
            assert root.tag == xml_name, f"{where}: XML root {root.tag}, documented {xml_name}"
            problem = self.xml_problem(root, schema)
            assert problem is None, f"{where}: {problem}"

    def xml_problem(self, element: ET.Element, schema: dict[str, Any], at: str = "") -> str | None:
        """Why ``element``'s children differ from ``schema``'s properties (None: they match)."""
        schema = self.document.resolve(schema)
        at = f"{at}/{element.tag}"
        if schema.get("type") == "array":
            item = self.document.resolve(schema.get("items", {}))
            for child in element:
                properties = item.get("properties", {})
                if child.tag not in properties:
                    return f"{at}: <{child.tag}> is not an item of the list"
                problem = self.xml_problem(child, properties[child.tag], at)
                if problem:
                    return problem
            return None
        properties = schema.get("properties")
        if properties is None:
            if len(element):
                return f"{at}: holds elements, documented as a value"
            return None
        tags = [child.tag for child in element]
        expected = [name for name in properties if name in tags]
        if tags != expected:
            return f"{at}: elements {tags}, documented order {list(properties)}"
        missing = [name for name in schema.get("required", []) if name not in tags]
        if missing:
            return f"{at}: lacks {missing}"
        for child in element:
            problem = self.xml_problem(child, properties[child.tag], at)
            if problem:
                return problem
        return None


_DOCUMENTS: dict[str, ConformanceCheck] = {}


def conformance_check(base_url: str) -> ConformanceCheck:
    """The check of the server at ``base_url``, against the document it serves (fetched once)."""
    if base_url not in _DOCUMENTS:
        document = httpx.get(f"{base_url}/openapi.json", timeout=30).raise_for_status().json()
        _DOCUMENTS[base_url] = ConformanceCheck(document)
    return _DOCUMENTS[base_url]
