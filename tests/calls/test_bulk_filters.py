"""The bulk filter grammar as a pure function, with property-based tests (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trunkline.api.exotel_v1.query import canonical_params, parse_bulk_query
from trunkline.domain.calls.bulk_filters import DAY_MS, Range
from trunkline.domain.calls.cursor import CursorCodec, Position
from trunkline.domain.clock import ist_to_ms, ms_to_ist
from trunkline.domain.errors import InvalidParameter

NOW = ist_to_ms("2026-11-23 12:00:00")
CODEC = CursorCodec(b"k" * 32)


def parse(**params: str):  # type: ignore[no-untyped-def]
    return parse_bulk_query(canonical_params(list(params.items())), now_ms=NOW, codec=CODEC)


def test_defaults_are_last_31_days_newest_first_50_per_page() -> None:
    query = parse()
    assert query.created_to_ms - query.created_from_ms + 1 == 31 * DAY_MS
    assert query.descending and query.page_size == 50 and not query.details


def test_parameter_names_are_case_insensitive_and_empty_values_mean_unset() -> None:
    merged = canonical_params([("sid", "abc"), ("STATUS", "busy"), ("PageSize", ""), ("Unknown", "x")])
    assert merged == {"Sid": "abc", "Status": "busy"}


def test_a_bare_date_as_upper_bound_covers_the_whole_day() -> None:
    query = parse(DateCreated="gte:2026-11-01 00:00:00;lte:2026-11-02")
    assert ms_to_ist(query.created_to_ms) == "2026-11-02 23:59:59"


@given(
    st.dictionaries(st.sampled_from(["gte", "eq", "lte"]), st.integers(0, 10**6), min_size=1), st.booleans()
)
def test_duration_operators_round_trip(bounds: dict[str, int], suffix: bool) -> None:
    text = ";".join(f"{op}:{value}{'s' if suffix else ''}" for op, value in bounds.items())
    assert parse(Duration=text).duration == Range(**bounds)


@given(
    st.dictionaries(
        st.sampled_from(["gte", "eq", "lte"]),
        st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False),
        min_size=1,
    )
)
def test_price_operators_are_exact_micro_units(bounds: dict) -> None:  # type: ignore[type-arg]
    text = ";".join(f"{op}:{value}" for op, value in bounds.items())
    assert parse(Price=text).price_micros == Range(**{op: int(v * 1_000_000) for op, v in bounds.items()})


@settings(max_examples=300)
@given(
    st.sampled_from(
        [
            "Sid",
            "DateCreated",
            "To",
            "From",
            "PhoneNumber",
            "Status",
            "Direction",
            "Duration",
            "Price",
            "PageSize",
            "SortBy",
            "Before",
            "After",
            "details",
            "RecordingUrlValidity",
        ]
    ),
    st.text(max_size=40),
)
def test_any_input_either_parses_or_raises_invalid_parameter_naming_it(name: str, value: str) -> None:
    try:
        parse(**{name: value})
    except InvalidParameter as exc:
        assert exc.parameter in (name, "Before")


@given(st.integers(0, 2**45), st.text(alphabet="0123456789abcdef", min_size=1, max_size=32))
def test_cursors_round_trip_and_any_change_is_detected(date_ms: int, sid: str) -> None:
    token = CODEC.encode(Position(date_ms, sid))
    assert CODEC.decode(token) == Position(date_ms, sid)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(ValueError):
        CODEC.decode(tampered)
    with pytest.raises(ValueError):
        CursorCodec(b"other" * 8).decode(token)


@settings(max_examples=500)
@given(st.integers(ist_to_ms("1000-01-02 00:00:00"), ist_to_ms("9999-12-30 00:00:00")))
def test_ms_to_ist_is_the_ist_wall_clock_of_the_second(ms: int) -> None:
    """``ms_to_ist`` caches dates and builds times from tables; it must equal the plain formatting."""
    from datetime import UTC, datetime, timedelta

    expected = (
        datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=ms // 1000, hours=5, minutes=30)
    ).strftime("%Y-%m-%d %H:%M:%S")
    assert ms_to_ist(ms) == expected
