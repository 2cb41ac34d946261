"""Pure call-tracking code: filter parsing, the disposition rule, caller geography, sessions."""

from __future__ import annotations

import pytest

from trunkline.api.fone_dynamics.params import canonical, parse_calls_query, parse_prompts_keys
from trunkline.domain.calls.model import Leg
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.tracking.geography import geography
from trunkline.domain.tracking.numbers import number_from_path, parse_number_update
from trunkline.domain.tracking.outcome import disposition_of
from trunkline.domain.tracking.query import DEFAULT_COUNT, matches_keys
from trunkline.domain.tracking.sessions import draw_session, parse_session_spec


def test_an_empty_query_lists_everything_two_hundred_at_a_time() -> None:
    query = parse_calls_query({})
    assert query.count == DEFAULT_COUNT and query.skip == 0 and query.repeat is None
    assert query.date_from_ms is None and query.dispositions == ()


def test_filter_names_and_values_fold_case_and_numbers_normalise() -> None:
    params = canonical(
        [
            ("date_FROM", "10"),
            ("DISPOSITION", "answered, ivr"),
            ("to", " 918047100001"),
            ("unique", "REPEAT"),
            ("results_skip", "7"),
        ]
    )
    query = parse_calls_query(params)
    assert query.date_from_ms == 10_000 and query.dispositions == ("Answered", "IVR")
    assert query.to_numbers == ("+918047100001",) and query.repeat is True and query.skip == 7
    assert parse_calls_query({"Unique": "unique"}).repeat is False
    assert parse_calls_query({"Unique": "All"}).repeat is None


def test_prompts_keys_alternatives_and_prefix_matching() -> None:
    assert parse_prompts_keys("1,2;3,5") == ("1,2", "3,5")
    assert parse_prompts_keys(" 1 , 2 ; ;#") == ("1,2", "#")
    assert matches_keys("1,2", ("1,2",)) and matches_keys("1,2,4", ("1,2",))
    assert not matches_keys("1", ("1,2",)) and not matches_keys(None, ("1",))
    assert matches_keys("3,5", ("1,2", "3")) and matches_keys(None, ())
    for bad in ("1,,2", "12", "a", "1;x"):
        with pytest.raises(InvalidParameter) as caught:
            parse_prompts_keys(bad)
        assert caught.value.parameter == "Prompts_keys"


@pytest.mark.parametrize(
    ("status", "legs", "expected"),
    [
        (
            "completed",
            [Leg(1, "+91A", "completed", 60, "human"), Leg(2, "+91E", "completed", 50, "human")],
            ("Answered", "+91E"),
        ),
        (
            "completed",
            [
                Leg(1, "+91A", "completed", 60, "human"),
                Leg(2, "+91E", "busy", 0),
                Leg(3, "+91F", "completed", 40, "human"),
            ],
            ("Answered", "+91F"),
        ),
        (
            "completed",
            [Leg(1, "+91A", "completed", 60, "human"), Leg(2, "+91E", "busy", 0)],
            ("Busy", "+91E"),
        ),
        (
            "completed",
            [Leg(1, "+91A", "completed", 60, "human"), Leg(2, "+91E", "no-answer", 0)],
            ("NoAnswer", "+91E"),
        ),
        (
            "completed",
            [Leg(1, "+91A", "completed", 60, "human"), Leg(2, "+91E", "canceled", 0)],
            ("NoAnswer", "+91E"),
        ),
        (
            "completed",
            [Leg(1, "+91A", "completed", 60, "human"), Leg(2, "+91E", "failed", 0)],
            ("Failed", "+91E"),
        ),
        ("completed", [Leg(1, "+91A", "completed", 20, "human")], ("IVR", None)),
        ("no-answer", [Leg(1, "+91A", "canceled", 0)], ("NoAnswer", None)),
        ("failed", [Leg(1, "+91A", "failed", 0)], ("Failed", None)),
        ("busy", [Leg(1, "+91A", "busy", 0)], ("Busy", None)),
    ],
)
def test_the_disposition_rule(status: str, legs: list[Leg], expected: tuple[str, str | None]) -> None:
    assert disposition_of(status, legs) == expected


def test_geography_of_callers() -> None:
    assert geography("anonymous").country is None
    assert geography("+918047112233") == geography("+918047112233", None)
    bangalore = geography("+918047112233")
    assert (bangalore.country, bangalore.region, bangalore.city) == ("IN", "Karnataka", "Bangalore")
    mobile = geography("+919810012345", "DL")
    assert (mobile.country, mobile.region, mobile.city) == ("IN", "Delhi Metro", None)
    assert geography("+919810012345").region is None
    sydney = geography("+61298765432")
    assert (sydney.country, sydney.region, sydney.city) == ("AU", None, None)
    assert geography("+1415555267").country in (None, "US")


def test_sessions_are_drawn_from_the_seed_and_index_alone() -> None:
    spec = parse_session_spec({"share": 0.5, "traffic_types": {"Campaign": 1, "Direct": 1}})
    assert spec is not None
    drawn = [draw_session(spec, 7, i, 1_700_000_000_000) for i in range(200)]
    assert drawn == [draw_session(spec, 7, i, 1_700_000_000_000) for i in range(200)]
    sessions = [s for s in drawn if s is not None]
    assert 60 < len(sessions) < 140
    assert all((s.ads_click_id is not None) == (s.traffic_type == "Campaign") for s in sessions)
    assert all(s.keywords is None for s in sessions if s.traffic_type == "Direct")
    assert parse_session_spec(None) is None
    for bad in ({"share": 2}, {"traffic_types": {"Paid": 1}}, {"keywords": []}, {"colour": "red"}, []):
        with pytest.raises(InvalidParameter):
            parse_session_spec(bad)


def test_number_paths_and_updates() -> None:
    assert number_from_path("918047100001") == "+918047100001"
    assert number_from_path("%2B61298765432") == "+61298765432"
    update = parse_number_update(
        {"routingmethod": "flow", "flow": "menu", "Recording": "OFF"}, current_endpoint=None
    )
    assert update.changes == {"routing_method": "Flow", "flow": "menu", "recording": "Off"}
    kept = parse_number_update({"RoutingMethod": "Endpoint"}, current_endpoint="+919999900001")
    assert kept.changes == {"routing_method": "Endpoint"}
