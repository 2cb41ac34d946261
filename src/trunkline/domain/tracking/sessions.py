"""Visitor sessions: the web visit that led a caller to a tracking number (Fone's ``Session_*``,
``Google_Analytics_ClientId``, ``Google_Adwords_ClickId``).

A traffic generator's optional ``sessions`` block gives its arrivals sessions::

    "sessions": {"share": 0.8,
                 "traffic_types": {"Campaign": 4, "Organic": 3, "Direct": 1, "Referral": 1},
                 "keywords": ["emergency plumber", "blocked drain"],
                 "landing_uris": ["/", "/services"], "conversion_uris": ["/contact"],
                 "analytics_share": 0.9}

Every field is optional (defaults below). Each draw depends on the generator's seed and the call's
index only, like the rest of the generator. Keywords come with search traffic (Campaign, Organic);
a Google Ads click id only with Campaign sessions; a Google Analytics client id with
``analytics_share`` of the sessions. The admin inbound endpoint takes one session object with the
``Session`` field names in snake case. A session rides from the generator to the tracking row in
``CallRun.extra`` (``to_extra``/``from_extra``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from typing import Any

from trunkline.domain.errors import InvalidParameter

TRAFFIC_TYPES = ("Campaign", "Direct", "Organic", "Referral", "Unattributed")
_SEARCH = frozenset({"Campaign", "Organic"})
DEFAULT_TRAFFIC_TYPES = {
    "Campaign": 0.35,
    "Organic": 0.3,
    "Direct": 0.15,
    "Referral": 0.1,
    "Unattributed": 0.1,
}
DEFAULT_KEYWORDS = ("call tracking", "business phone number", "customer support line")
DEFAULT_LANDING_URIS = ("/", "/pricing", "/features", "/blog/call-tracking")
DEFAULT_CONVERSION_URIS = ("/contact", "/pricing", "/book-a-demo")
MAX_TEXT = 500
LIMITS = {"keywords": 200, "landing_uri": 500, "conversion_uri": 500, "ga_client_id": 64, "ads_click_id": 128}
"""Longest value of each session field (the tracking row's column sizes)."""
_FIELDS = {"share", "traffic_types", "keywords", "landing_uris", "conversion_uris", "analytics_share"}
_CLICK_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclass(frozen=True, slots=True)
class Session:
    traffic_type: str
    keywords: str | None = None
    landing_uri: str | None = None
    conversion_uri: str | None = None
    ga_client_id: str | None = None
    ads_click_id: str | None = None

    def to_extra(self) -> dict[str, str]:
        return {f"session.{f.name}": v for f in fields(self) if (v := getattr(self, f.name)) is not None}


def from_extra(extra: dict[str, str]) -> Session | None:
    """The session a run carries, if any."""
    if "session.traffic_type" not in extra:
        return None
    return Session(**{f.name: extra.get(f"session.{f.name}") for f in fields(Session)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SessionSpec:
    share: float = 1.0
    traffic_types: tuple[tuple[str, float], ...] = tuple(DEFAULT_TRAFFIC_TYPES.items())
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    landing_uris: tuple[str, ...] = DEFAULT_LANDING_URIS
    conversion_uris: tuple[str, ...] = DEFAULT_CONVERSION_URIS
    analytics_share: float = 1.0

    def document(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "traffic_types": dict(self.traffic_types),
            "keywords": list(self.keywords),
            "landing_uris": list(self.landing_uris),
            "conversion_uris": list(self.conversion_uris),
            "analytics_share": self.analytics_share,
        }


def _bad(message: str) -> InvalidParameter:
    return InvalidParameter(f"sessions: {message}", parameter="sessions")


def _share(raw: dict[str, Any], name: str) -> float:
    value = raw.get(name, 1.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _bad(f"{name} must be a number from 0 to 1")
    return float(value)


def _texts(
    raw: dict[str, Any], name: str, default: tuple[str, ...], limit: int = MAX_TEXT
) -> tuple[str, ...]:
    value = raw.get(name)
    if value is None:
        return default
    if not isinstance(value, list) or not 1 <= len(value) <= 1000:
        raise _bad(f"{name} must be a list of 1 to 1000 strings")
    if not all(isinstance(v, str) and 0 < len(v) <= limit for v in value):
        raise _bad(f"{name}: every value must be a string of 1 to {limit} characters")
    return tuple(value)


def parse_session_spec(raw: Any) -> SessionSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _bad("must be an object")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise _bad(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_FIELDS))})")
    weights = raw.get("traffic_types", DEFAULT_TRAFFIC_TYPES)
    if not isinstance(weights, dict) or not weights:
        raise _bad("traffic_types must be an object of traffic type → weight")
    for name, weight in weights.items():
        if name not in TRAFFIC_TYPES:
            raise _bad(f"traffic type {name!r} is not one of {', '.join(TRAFFIC_TYPES)}")
        valid = isinstance(weight, int | float) and not isinstance(weight, bool) and math.isfinite(weight)
        if not valid or weight < 0:
            raise _bad(f"traffic_types.{name} must be a number of at least 0")
    if sum(weights.values()) <= 0:
        raise _bad("traffic_types: at least one weight must be above 0")
    return SessionSpec(
        share=_share(raw, "share"),
        traffic_types=tuple((name, float(weights[name])) for name in TRAFFIC_TYPES if name in weights),
        keywords=_texts(raw, "keywords", DEFAULT_KEYWORDS, LIMITS["keywords"]),
        landing_uris=_texts(raw, "landing_uris", DEFAULT_LANDING_URIS),
        conversion_uris=_texts(raw, "conversion_uris", DEFAULT_CONVERSION_URIS),
        analytics_share=_share(raw, "analytics_share"),
    )


def draw_session(spec: SessionSpec, seed: int, index: int, at_ms: int) -> Session | None:
    """Arrival ``index``'s session (or None), from the seed and the index alone."""
    rng = random.Random(f"traffic:{seed}:session:{index}")
    if rng.random() >= spec.share:
        return None
    names = [name for name, _ in spec.traffic_types]
    traffic_type = rng.choices(names, weights=[w for _, w in spec.traffic_types])[0]
    keywords = rng.choice(spec.keywords) if traffic_type in _SEARCH else None
    landing, conversion = rng.choice(spec.landing_uris), rng.choice(spec.conversion_uris)
    ga = None
    if rng.random() < spec.analytics_share:
        # GA's client id: a random 32-bit number and the first visit's Unix time.
        ga = f"{rng.randrange(10**9, 2**31)}.{max(0, at_ms // 1000 - rng.randrange(30 * 86400))}"
    click = None
    if traffic_type == "Campaign":
        click = "EAIaIQ" + "".join(rng.choice(_CLICK_ID_CHARS) for _ in range(40))
    return Session(traffic_type, keywords, landing, conversion, ga, click)


_SESSION_FIELDS = {f.name for f in fields(Session)}


def parse_session(raw: Any) -> Session | None:
    """A session object given with one inbound call (admin API)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidParameter("session must be an object", parameter="session")
    unknown = sorted(set(raw) - _SESSION_FIELDS)
    if unknown:
        known = ", ".join(sorted(_SESSION_FIELDS))
        raise InvalidParameter(f"session: unknown field {unknown[0]!r} (known: {known})", parameter="session")
    traffic_type = raw.get("traffic_type")
    if traffic_type not in TRAFFIC_TYPES:
        raise InvalidParameter(
            f"session.traffic_type must be one of {', '.join(TRAFFIC_TYPES)}", parameter="session"
        )
    values: dict[str, str | None] = {}
    for name in _SESSION_FIELDS - {"traffic_type"}:
        value = raw.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > LIMITS[name]):
            raise InvalidParameter(
                f"session.{name} must be a string of at most {LIMITS[name]} characters", parameter="session"
            )
        values[name] = value or None
    return Session(traffic_type, **values)
