"""Every shell example in README.md and docs/*.md runs as written, in order, on a fresh
`trunkline serve` (issue 13, first hour, item 10).

Each page gets its own server: a `trunkline serve` subprocess on a free port, in a temporary
working folder (so its SQLite store is the default `./trunkline.db` the CLI examples find), with
`TRUNKLINE_ADMIN_TOKEN` set. The ```sh blocks run command by command with bash in that folder,
with only the documented placeholders substituted:

- the host and port (`127.0.0.1:8000`, `localhost:8000`) -> the server's;
- `ADMIN_TOKEN` -> the admin token, `TOKEN` -> the demo account's api token (from the banner);
- `<Sid>` -> the first Sid in the output of the latest command that printed one.

`curl` runs with `--fail-with-body`, so an example passes when it exits 0, which for a curl means
a 2xx status. Markers in HTML comments, which a reader of the rendered page does not see:

- `<!-- not run: why -->` before a block leaves it out (set-up commands, a link only known later);
- `<!-- file: NAME -->` before any block writes its text to NAME in the working folder;
- `<!-- serve: ARGS -->` anywhere: extra `trunkline serve` arguments for the page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.serve_process import cli_env, start_serve

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ADMIN_TOKEN = "docs-examples-admin-token"
BLOCK = re.compile(
    r"(?:<!--\s*(?P<marker>not run|file|in the checkout):?\s*(?P<arg>[^>]*?)\s*-->\s*\n)?"  # a marker
    r"```(?P<lang>\w*)\n(?P<body>.*?)```",
    re.S,
)
SERVE_ARGS = re.compile(r"<!--\s*serve:\s*(?P<args>[^>]*?)\s*-->")
SID = re.compile(r"""(?<![A-Za-z])["']?Sid["']?\s*[:=>]\s*["']?([0-9a-f]{32})""")
COMMAND_SECONDS = 120


@dataclass
class Page:
    path: Path
    serve_args: list[str]
    steps: list[tuple[str, str]] = field(default_factory=list)
    """("file", "NAME\\nTEXT"), ("run", "COMMAND") or ("run in checkout", "COMMAND": a command about
    the repository's own files, run from its root), in the page's order."""


def read_page(path: Path) -> Page:
    text = path.read_text()
    serve = SERVE_ARGS.search(text)
    page = Page(path, serve.group("args").split() if serve else [])
    for block in BLOCK.finditer(text):
        marker, body = block.group("marker"), block.group("body")
        if marker == "file":
            page.steps.append(("file", f"{block.group('arg')}\n{body}"))
        elif block.group("lang") == "sh" and marker != "not run":
            kind = "run in checkout" if marker == "in the checkout" else "run"
            page.steps.extend((kind, command) for command in commands(body))
    return page


def commands(body: str) -> list[str]:
    """The block's commands: continuation lines joined, blank and comment lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


RUNNABLE = [page for page in (read_page(p) for p in PAGES) if any(kind != "file" for kind, _ in page.steps)]


def test_the_docs_have_runnable_examples() -> None:
    assert {page.path.name for page in RUNNABLE} >= {"README.md", "flows.md", "recordings.md"}


@pytest.mark.parametrize("page", RUNNABLE, ids=lambda page: page.path.name)
def test_examples_run_as_written(tmp_path: Path, page: Page) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = cli_env(workdir, TRUNKLINE_ADMIN_TOKEN=ADMIN_TOKEN)
    served = start_serve(workdir, *page.serve_args, env=env)
    prelude = (
        'curl() { command curl -sS --fail-with-body --max-time 60 "$@"; }\n'
        f'trunkline() {{ "{sys.executable}" -m trunkline.cli.main "$@"; }}\n'
    )
    try:
        token = served.banner_value(r"api_token=(\S+)")
        host = f"127.0.0.1:{served.port}"
        sid: str | None = None
        for kind, step in page.steps:
            if kind == "file":
                name, _, text = step.partition("\n")
                (workdir / name).write_text(text)
                continue
            command = step.replace("127.0.0.1:8000", host).replace("localhost:8000", host)
            command = command.replace("ADMIN_TOKEN", ADMIN_TOKEN)
            command = re.sub(r"\bTOKEN\b", token, command)
            if "<Sid>" in command:
                assert sid, f"{page.path.name}: no earlier example printed a Sid for: {step}"
                command = command.replace("<Sid>", sid)
            result = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", prelude + command],
                cwd=ROOT if kind == "run in checkout" else workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=COMMAND_SECONDS,
            )
            assert result.returncode == 0, (
                f"{page.path.name}: `{step}` exited {result.returncode}\n{result.stdout[-2000:]}\n"
                f"{result.stderr[-2000:]}"
            )
            found = SID.search(result.stdout)
            if found:
                sid = found.group(1)
    finally:
        served.stop()
