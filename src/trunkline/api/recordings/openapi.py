"""OpenAPI description of the recording files route (served by a plain Starlette app)."""

from __future__ import annotations

from typing import Any

from trunkline.api.recordings.routes import PATH


def _param(name: str, where: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": {"type": "string"},
        "description": description,
    }


def recording_paths() -> dict[str, Any]:
    parameters = [
        _param("account_sid", "path", "The account SID of the recording's call.", required=True),
        _param("file", "path", "`<CallSid>.mp3`, as in RecordingUrl.", required=True),
        _param(
            "Expires",
            "query",
            "Of a PreSignedRecordingUrl: expiry, epoch seconds. With Signature, no credentials needed.",
            required=False,
        ),
        _param("Signature", "query", "Of a PreSignedRecordingUrl: the link's signature.", required=False),
        _param(
            "Range", "header", "`bytes=a-b`, `bytes=a-` or `bytes=-n`: one byte range (206).", required=False
        ),
    ]
    return {
        PATH: {
            "get": {
                "tags": ["Recordings"],
                "operationId": "recordings_file_get",
                "summary": "A call recording (audio/mpeg): the file behind RecordingUrl and "
                "PreSignedRecordingUrl. HEAD gives the headers alone.",
                "parameters": parameters,
                "security": [{"basic": []}, {}],
                "responses": {
                    "200": {"description": "The file", "content": {"audio/mpeg": {}}},
                    "206": {"description": "The requested byte range", "content": {"audio/mpeg": {}}},
                    "401": {"description": "No or wrong credentials: RestException"},
                    "403": {"description": "Another account's credentials, or an invalid or expired link"},
                    "404": {"description": "No such recording in this account: RestException"},
                    "416": {"description": "Range past the end of the file; see Content-Range"},
                },
            }
        }
    }
