"""``trunkline openapi``: the server's OpenAPI document, as ``/openapi.json`` serves it.

The repository's ``openapi.json`` is this command's output (``scripts/openapi`` regenerates it with
the examples and the Postman collection; a test checks it matches the server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def openapi_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the document here instead of stdout.")
    ] = None,
) -> None:
    """Print the OpenAPI 3.1 document of every dialect and the admin API (no store is opened)."""
    from trunkline.api.app import document  # imports every dialect: only when asked

    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
