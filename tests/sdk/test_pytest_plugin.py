"""The ``trunkline`` pytest fixture, tested the way a user meets it: pytest run (pytester) on small
example projects. Scopes decide how many servers start; every test starts from a clean account;
the callback receiver catches status callbacks; a failing assertion is reported as usual."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PLUGIN = ["-p", "trunkline.testing.pytest_plugin", "-p", "no:cacheprovider"]
"""Load the plugin by hand: a no-op where the installed entry point (of the same name) loads it too."""

SAMPLE_APP = Path(__file__).resolve().parents[2] / "examples" / "sample_app"

RECORD_SERVER = """
    from pathlib import Path

    def test_{name}_one(trunkline):
        Path("servers.txt").open("a").write(trunkline.base_url + "\\n")

    def test_{name}_two(trunkline):
        Path("servers.txt").open("a").write(trunkline.base_url + "\\n")
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, *args)


def servers_started(pytester: pytest.Pytester) -> int:
    return len(set((pytester.path / "servers.txt").read_text().split()))


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (None, 1),  # session by default
        ("ini:module", 2),
        ("cli:function", 4),
        ("cli:session", 1),
    ],
)
def test_the_scope_decides_how_many_servers_start(
    pytester: pytest.Pytester, how: str | None, expected: int
) -> None:
    pytester.makepyfile(
        test_a=textwrap.dedent(RECORD_SERVER.format(name="a")),
        test_b=textwrap.dedent(RECORD_SERVER.format(name="b")),
    )
    args: list[str] = []
    if how is not None:
        where, scope = how.split(":")
        if where == "ini":
            pytester.makeini(f"[pytest]\ntrunkline_scope = {scope}\n")
        else:
            args = [f"--trunkline-scope={scope}"]
    run(pytester, *args).assert_outcomes(passed=4)
    assert servers_started(pytester) == expected


def test_an_unknown_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_a(trunkline):\n    pass\n")
    result = run(pytester, "--trunkline-scope=forever")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid choice: 'forever'*"])
    pytester.makeini("[pytest]\ntrunkline_scope = forever\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*trunkline_scope must be one of session, package, module, function*"])


def test_every_test_starts_from_a_clean_account(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_reset="""
        import time

        GREETING = {"applets": [{"id": "hi", "type": "greeting", "text": "Hi", "duration_seconds": 2}]}

        def test_dirty(trunkline):
            box = trunkline.sandbox
            box.put_flow("desk", GREETING)
            box.assign_flow(trunkline.exophone, "desk")
            box.create_user({"name": "Asha", "contact_uri": "+919999900007"})
            box.create_property("Website")
            box.start_traffic({"exophones": [trunkline.exophone], "rate_per_minute": 1, "count": 50})
            rule = {"match": "+91981*", "busy": 1, "answer": 0, "no_answer": 0, "fail": 0}
            box.set_scenario({"rules": [rule]})
            call = trunkline.client.calls.connect(
                from_="+919999900001", to="+919999910005", caller_id=trunkline.exophone,
                status_callback=trunkline.receiver.url,
            )
            box.advance_clock(3600)
            trunkline.wait_for_callback(call.sid)

        def test_clean(trunkline):
            box = trunkline.sandbox
            assert box.list_flows() == [] and box.list_traffic() == []
            assert trunkline.client.calls.list().total() == 0
            assert box.scenario() == {"rules": []}
            assert abs(box.clock().now.timestamp() - time.time()) < 60
            assert trunkline.receiver.callbacks == [] and trunkline.receiver.requests == []
            assert box.create_user({"name": "Asha", "contact_uri": "+919999900007"})["name"] == "Asha"
            assert box.create_property("Website")["name"] == "Website"
        """
    )
    run(pytester, "--trunkline-scope=session").assert_outcomes(passed=2)


def test_the_receiver_catches_status_callbacks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_callbacks="""
        import pytest
        from trunkline_client import CallStatus, V1StatusCallback

        def test_terminal_and_answered(trunkline):
            call = trunkline.client.calls.connect(
                from_="+919999900001", to="+919999910005", caller_id=trunkline.exophone,
                status_callback=trunkline.callback_url, status_callback_events=["answered", "terminal"],
            )
            trunkline.sandbox.advance_clock(60)
            answered = trunkline.wait_for_callback(call.sid, event_type="answered")
            terminal = trunkline.wait_for_callback(call.sid, status="completed")
            assert isinstance(terminal, V1StatusCallback) and terminal.status == CallStatus.COMPLETED
            assert terminal.event_type == "terminal" and terminal.conversation_duration == 5
            assert answered.status is None or answered.status == CallStatus.IN_PROGRESS
            assert [c.event_type for c in trunkline.receiver.callbacks] == ["answered", "terminal"]
            assert trunkline.receiver.requests[-1].method == "POST"

        def test_waiting_is_bounded(trunkline):
            with pytest.raises(AssertionError, match="no status callback with call_sid='nope' within 0.2 s"):
                trunkline.wait_for_callback("nope", timeout=0.2)
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_failing_assertion_is_reported_normally(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fails="""
        def test_expects_busy(trunkline):
            call = trunkline.client.calls.connect(
                from_="+919999900001", to="+919999910005", caller_id=trunkline.exophone
            )
            done = trunkline.sandbox.wait_for(call.sid)
            assert done.status == "busy"

        def test_after_a_failure(trunkline):
            assert trunkline.client.calls.list().total() == 0
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*def test_expects_busy*", "*AssertionError: assert *completed* == 'busy'*"])
    output = result.stdout.str()
    assert "trunkline = TrunklineSandbox(base_url='http://127.0.0.1:" in output  # pytest shows the fixture
    assert "api_token=" not in output and "admin_token=" not in output  # but never its secrets


def test_the_sample_application_passes(pytester: pytest.Pytester) -> None:
    for name in ("click_to_call.py", "test_click_to_call.py"):
        shutil.copy(SAMPLE_APP / name, pytester.path / name)
    pytester.syspathinsert()
    run(pytester).assert_outcomes(passed=3)


def test_the_entry_point_loads_the_plugin_and_loading_it_again_is_harmless(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``pip install`` gives: a ``pytest11`` entry point of the plugin's own name (here in a
    stand-in distribution, so that the test does not depend on how this checkout was installed)."""
    probe = pytester.path / "site" / "trunkline_plugin_probe-0.dist-info"
    probe.mkdir(parents=True)
    (probe / "METADATA").write_text("Metadata-Version: 2.1\nName: trunkline-plugin-probe\nVersion: 0\n")
    (probe / "entry_points.txt").write_text(
        "[pytest11]\ntrunkline.testing.pytest_plugin = trunkline.testing.pytest_plugin\n"
    )
    here = Path(__file__).resolve().parents[2]
    paths = [str(probe.parent), str(here / "src"), str(here / "client" / "src")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths + [os.environ.get("PYTHONPATH", "")]))
    pytester.makepyfile(
        test_a="def test_a(trunkline):\n    assert trunkline.base_url.startswith('http://127.0.0.1:')\n"
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    by_hand = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "trunkline.testing.pytest_plugin")
    by_hand.assert_outcomes(passed=1)
    turned_off = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:trunkline.testing.pytest_plugin"
    )
    turned_off.assert_outcomes(errors=1)
    turned_off.stdout.fnmatch_lines(["*fixture 'trunkline' not found*"])


def test_docs_show_the_sample_application_as_it_is() -> None:
    """docs/testing.md's complete example is the sample app CI runs, word for word."""
    doc = (SAMPLE_APP.parents[1] / "docs" / "testing.md").read_text()
    for name in ("click_to_call.py", "test_click_to_call.py"):
        assert f"```python\n{(SAMPLE_APP / name).read_text().rstrip()}\n```" in doc, name


def test_settings_can_be_changed_but_not_the_store(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def trunkline_settings():
            return {"rate_limit_per_minute": 1}
        """
    )
    pytester.makepyfile(
        test_limited="""
        import pytest
        from trunkline_client import RateLimitedError, Trunkline

        def test_the_second_request_is_limited(trunkline):
            with Trunkline(trunkline.account_sid, trunkline.api_key, trunkline.api_token,
                           base_url=trunkline.base_url, max_retries=0) as client:
                client.numbers.get("+919876543210")
                with pytest.raises(RateLimitedError):
                    client.numbers.get("+919876543210")
        """
    )
    run(pytester).assert_outcomes(passed=1)
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def trunkline_settings():
            return {"database_url": "sqlite:///elsewhere.db"}
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the sandbox sets database_url itself; it cannot be overridden*"])
