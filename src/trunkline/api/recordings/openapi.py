"""OpenAPI description of the recording files route (served by a plain Starlette app)."""

from __future__ import annotations

from typing import Any

from trunkline.api.openapi_parts import Components, error_responses, json_content, response
from trunkline.api.recordings.bodies import RecordingError
from trunkline.api.recordings.routes import PATH


def _param(name: str, where: str, description: str, *, required: bool) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required,
        "schema": {"type": "string"},
        "description": description,
    }


_FILE_HEADERS: dict[str, Any] = {
    name: {"schema": {"type": "string"}, "description": text}
    for name, text in (
        ("Accept-Ranges", "`bytes`: ranges are served."),
        ("ETag", "The file's entity tag, for If-None-Match and If-Range."),
        ("Content-Length", "Bytes in this answer."),
        ("Content-Disposition", '`inline; filename="<CallSid>.mp3"`.'),
    )
}


def recording_paths(components: Components) -> dict[str, Any]:
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
        _param("If-None-Match", "header", "An ETag: 304 when the file still has it.", required=False),
        _param(
            "If-Range", "header", "An ETag: the Range applies only while the file has it.", required=False
        ),
    ]
    audio = {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}}}
    error = json_content(components.ref(RecordingError))
    range_headers = {
        **_FILE_HEADERS,
        "Content-Range": {"schema": {"type": "string"}, "description": "`bytes a-b/size`."},
    }
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
                    "200": response("The file", audio, _FILE_HEADERS),
                    "206": response("The requested byte range", audio, range_headers),
                    "304": response("Not modified: the file still has the ETag of If-None-Match"),
                    **error_responses(
                        (401, 403, 404, 405, 416),
                        error,
                        descriptions={
                            401: "No or wrong credentials",
                            403: "Another account's credentials, or an invalid or expired link",
                            404: "No such recording in this account",
                            416: "Range past the end of the file; see Content-Range",
                        },
                    ),
                    "503": response(
                        "The recording could not be read, or the database cannot be reached "
                        "(then with Retry-After); try again",
                        error,
                        {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}},
                    ),
                },
            }
        }
    }
