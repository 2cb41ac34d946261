"""Indian number metadata (v1 ``Numbers/<n>``): number type, operator, telecom circle and DND.

Pure: ``classify`` reads only what libphonenumber knows; the mobile series table and the DND
registry live in the store, which hands its rows to ``build_metadata``. libphonenumber knows the
type, the carrier a mobile series was first allotted to, and a "City, State" for fixed lines, but
never a mobile's circle, hence the split (docs/api-choices.md §Number metadata).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import DEFAULT_REGION, to_v1

MOBILE = "Mobile"
LANDLINE = "Landline"

CIRCLES: dict[str, str] = {
    "AP": "Andhra Pradesh Telecom Circle (includes Telangana)",
    "AS": "Assam Telecom Circle",
    "BR": "Bihar Telecom Circle (includes Jharkhand)",
    "CH": "Chennai Metro Telecom Circle (merged into Tamil Nadu in 2007)",
    "DL": "Delhi Metro Telecom Circle (includes Faridabad, Ghaziabad, Gurgaon & Noida)",
    "GJ": "Gujarat Telecom Circle (includes Daman & Diu, Dadra & Nagar Haveli)",
    "HP": "Himachal Pradesh Telecom Circle",
    "HR": "Haryana Telecom Circle (excludes Faridabad, Gurgaon & Panchkula)",
    "JK": "Jammu & Kashmir Telecom Circle (includes Ladakh)",
    "KA": "Karnataka Telecom Circle",
    "KL": "Kerala Telecom Circle (includes Lakshadweep)",
    "KO": "Kolkata Metro Telecom Circle",
    "MH": "Maharashtra Telecom Circle (includes Goa, excludes Mumbai)",
    "MP": "Madhya Pradesh Telecom Circle (includes Chhattisgarh)",
    "MU": "Mumbai Metro Telecom Circle (includes Navi Mumbai & Thane)",
    "NE": (
        "North East Telecom Circle"
        " (includes Arunachal Pradesh, Manipur, Meghalaya, Mizoram, Nagaland & Tripura)"
    ),
    "OR": "Odisha Telecom Circle",
    "PB": "Punjab Telecom Circle (includes Chandigarh & Panchkula)",
    "RJ": "Rajasthan Telecom Circle",
    "TN": "Tamil Nadu Telecom Circle (includes Chennai & Puducherry)",
    "UE": "Uttar Pradesh (East) Telecom Circle",
    "UW": "Uttar Pradesh (West) Telecom Circle (includes Uttarakhand)",
    "WB": "West Bengal Telecom Circle (includes Sikkim, Andaman & Nicobar, excludes Kolkata)",
}

# Codes of Exotel's support article (docs/api-choices.md §Conflicts), not the newer page reusing VI, AL.
OPERATORS: dict[str, str] = {
    "AC": "Aircel",
    "A": "Airtel",
    "AL": "Allianz",
    "B": "BSNL",
    "D": "Dishnet",
    "E": "Etisalat",
    "H": "HFCL",
    "I": "Idea",
    "LO": "Loop",
    "MT": "MTNL",
    "P": "Ping",
    "R": "Reliance",
    "S": "Sistema",
    "ST": "S Tel",
    "T": "Tata",
    "U": "Unitech",
    "VI": "Videocon",
    "V": "Vodafone",
}

# Carrier names libphonenumber gives Indian mobile series (lower-cased). The first block is what
# phonenumbers 9.0 actually returns; the rest are older or brand spellings, kept so that another
# phonenumbers release does not silently lose the operator. Telenor/Uninor/Telewings was the
# Unitech Wireless licence, so it maps to U; Reliance Jio and Reliance Communications share R.
CARRIER_OPERATORS: dict[str, str] = {
    "airtel": "A",
    "idea": "I",
    "vodafone": "V",
    "reliance jio": "R",
    "aircel": "AC",
    "tata docomo": "T",
    "telewings": "U",
    "bsnl mobile": "B",
    "telenor": "U",
    "mtnl": "MT",
    "uninor": "U",
    "s tel": "ST",
    # Older releases and brand names.
    "bharti airtel": "A",
    "jio": "R",
    "reliance": "R",
    "reliance mobile": "R",
    "tata": "T",
    "tata indicom": "T",
    "docomo": "T",
    "bsnl": "B",
    "cellone": "B",
    "dolphin": "MT",
    "videocon": "VI",
    "loop": "LO",
    "loop mobile": "LO",
    "mts": "S",
    "sistema": "S",
    "sistema shyam": "S",
    "etisalat": "E",
    "etisalat db": "E",
    "ping": "P",
    "hfcl": "H",
    "dishnet": "D",
    "allianz": "AL",
    "unitech": "U",
    "vodafone idea": "V",
}

# Fixed lines whose STD code decides the circle before the state does (metros and NCR).
# Indian STD codes are prefix-free, so a prefix test on the national number is exact.
_STD_CIRCLES: tuple[tuple[str, str], ...] = (
    ("11", "DL"),
    ("120", "DL"),
    ("124", "DL"),
    ("129", "DL"),
    ("22", "MU"),
    ("33", "KO"),
    ("44", "TN"),
)

# The state part of libphonenumber's "City, State" (lower-cased). Its data uses pre-2000 states
# (Ranchi is in Bihar, Raipur in Madhya Pradesh, Gangtok in West Bengal), which the circles
# follow too; the newer names are listed for other phonenumbers releases.
_STATE_CIRCLES: dict[str, str] = {
    "andhra pradesh": "AP",
    "telangana": "AP",
    "assam": "AS",
    "bihar": "BR",
    "jharkhand": "BR",
    "delhi": "DL",
    "new delhi": "DL",
    "gujarat": "GJ",
    "daman & diu": "GJ",
    "dadra & nagar haveli": "GJ",
    "himachal pradesh": "HP",
    "haryana": "HR",
    "jammu & kashmir": "JK",
    "ladakh": "JK",
    "karnataka": "KA",
    "kerala": "KL",
    "lakshadweep": "KL",
    "kolkata": "KO",
    "maharashtra": "MH",
    "goa": "MH",
    "madhya pradesh": "MP",
    "chhattisgarh": "MP",
    "mumbai": "MU",
    "arunachal pradesh": "NE",
    "manipur": "NE",
    "meghalaya": "NE",
    "mizoram": "NE",
    "nagaland": "NE",
    "tripura": "NE",
    "odisha": "OR",
    "orissa": "OR",
    "punjab": "PB",
    "chandigarh": "PB",
    "rajasthan": "RJ",
    "tamil nadu": "TN",
    "puducherry": "TN",
    "pondicherry": "TN",
    "uttarakhand": "UW",
    "uttaranchal": "UW",
    "west bengal": "WB",
    "sikkim": "WB",
    "andaman islands": "WB",
    "nicobar islands": "WB",
    "andaman & nicobar": "WB",
    "andaman & nicobar islands": "WB",
}

# Uttar Pradesh by STD code: the 51x-55x codes (Kanpur, Jhansi, Lucknow, Allahabad, Varanasi,
# Gorakhpur regions) plus 585/586/587 (Hardoi, Sitapur, Kheri, Lucknow division) are UP East;
# every other UP code (12x/13x Meerut-Saharanpur, 56x-59x Agra, Aligarh, Bareilly, Moradabad)
# is UP West. This follows the licensed service areas closely but not district by district.
_UP_EAST_STD = ("51", "52", "53", "54", "55", "585", "586", "587")

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_SERIES_PREFIX_RE = re.compile(r"[6-9][0-9]{3,5}")
SERIES_PREFIX_LENGTHS = (6, 5, 4)


@dataclass(frozen=True, slots=True)
class Classified:
    """What libphonenumber alone says about a valid Indian number."""

    e164: str
    national: str  # the national significant number, without the 0
    type: str  # MOBILE or LANDLINE
    operator: str  # operator code from the carrier data (mobiles), else ""
    circle: str  # fixed-line circle from the STD code/state, else ""

    @property
    def phone_number(self) -> str:
        return to_v1(self.e164) or self.e164


SERIES_SEED = ("trunkline.domain.numbers", "data/mobile_series_seed.csv")
"""The shipped series seed (package, resource), which every new store loads."""


@dataclass(frozen=True, slots=True)
class Series:
    """A ``mobile_series`` row as the lookup needs it."""

    operator: str
    circle: str


@dataclass(frozen=True)
class NumberMetadata:
    phone_number: str  # 0-prefixed national, as v1 shows it
    circle: str
    circle_name: str
    type: str  # "Mobile" | "Landline"
    operator: str
    operator_name: str
    dnd: str  # "Yes" | "No" | "Unavailable"


def _invalid(message: str) -> InvalidParameter:
    return InvalidParameter(message, parameter="number")


def _prepare(raw: str) -> str:
    """Undo what URLs do to a leading '+': a space (form decoding) or a literal ``%2B``."""
    text = raw.strip()
    if raw.startswith(" ") and text[:1].isdigit():
        return "+" + text
    if text[:3].upper() == "%2B":
        return "+" + text[3:]
    return text


@lru_cache(maxsize=65536)
def classify(raw: str) -> Classified:
    """Parse any accepted spelling of an Indian number; reject what the metadata API cannot answer.

    Raises ``InvalidParameter(parameter="number")``: the v1 route turns it into a 400 RestException.
    """
    text = _prepare(raw)
    if not text:
        raise _invalid("number is empty")
    if text.lower().startswith("sip:"):
        raise _invalid(f"{text!r} is a SIP URI; number metadata needs an Indian phone number")
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise _invalid(f"cannot parse {text!r} as a phone number") from exc
    if parsed.country_code != 91:
        raise _invalid(f"{text!r} is not an Indian (+91) number; number metadata covers India only")
    if not phonenumbers.is_valid_number(parsed):
        raise _invalid(f"{text!r} is not a valid Indian phone number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(parsed)
    if phonenumbers.number_type(parsed) in _MOBILE_TYPES:
        operator = operator_for_carrier(carrier.name_for_number(parsed, "en"))
        return Classified(e164, national, MOBILE, operator, "")
    # Toll-free, shared-cost, premium and UAN numbers are wired lines too; only fixed lines
    # have a geography, which the geocoder reports as "India" for the others.
    circle = fixed_line_circle(national, india_place(e164[1:]))
    return Classified(e164, national, LANDLINE, "", circle)


@lru_cache(maxsize=1)
def _india_places() -> tuple[dict[str, str], int]:
    """Prefix → "City, State" for India, from a table extracted from libphonenumber's geocoding
    data (scripts/extract_india_geodata.py). Importing ``phonenumbers.geocoder`` instead would
    load every country's names: about 100 MB of server memory for one country's answers."""
    text = resources.files("trunkline.domain.numbers").joinpath("data/india_geodata.csv").read_text("utf-8")
    rows = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    next(rows)  # header
    places = {prefix: description for prefix, description in rows}
    return places, max(map(len, places))


def india_place(digits: str) -> str:
    """The place name libphonenumber gives a number (digits with the country code), or ""."""
    places, longest = _india_places()
    for length in range(min(longest, len(digits)), 2, -1):
        place = places.get(digits[:length])
        if place is not None:
            return place
    return ""


def operator_for_carrier(name: str) -> str:
    """Operator code for a libphonenumber carrier name; "" when the name is unknown or empty."""
    return CARRIER_OPERATORS.get(name.strip().lower(), "")


def _state_key(text: str) -> str:
    return " ".join(text.lower().replace(" and ", " & ").split())


def fixed_line_circle(national: str, description: str) -> str:
    """Circle of a fixed line from its STD code, else from the state the geocoder names.

    ``description`` is "City, State" or, for a few places, just "Mumbai", "New Delhi" or "Goa".
    """
    for std, circle in _STD_CIRCLES:
        if national.startswith(std):
            return circle
    state = _state_key(description.rsplit(",", 1)[-1]) if description else ""
    if state == "uttar pradesh":
        return "UE" if national.startswith(_UP_EAST_STD) else "UW"
    return _STATE_CIRCLES.get(state, "")


def series_prefixes(number: Classified) -> tuple[str, ...]:
    """The prefixes a mobile's series may be filed under, longest first; none for landlines."""
    if number.type != MOBILE:
        return ()
    return tuple(number.national[:n] for n in SERIES_PREFIX_LENGTHS if len(number.national) >= n)


def build_metadata(number: Classified, series: Series | None, dnd: bool | None) -> NumberMetadata:
    """Combine libphonenumber's view with the store's rows; an unknown series leaves the circle empty.

    The series row wins over the carrier data for the operator: it is what the admin loaded, and
    the carrier data names the original allottee, often gone (Aircel, Tata Docomo).
    """
    operator = (series.operator if series else "") or number.operator
    circle = series.circle if series else number.circle
    return NumberMetadata(
        phone_number=number.phone_number,
        circle=circle,
        circle_name=CIRCLES.get(circle, ""),
        type=number.type,
        operator=operator,
        operator_name=OPERATORS.get(operator, ""),
        dnd="Unavailable" if dnd is None else ("Yes" if dnd else "No"),
    )


# Validation of imported rows: ValueError with a message the store prefixes with the line number.


def series_prefix(text: str) -> str:
    prefix = text.strip()
    if not _SERIES_PREFIX_RE.fullmatch(prefix):
        raise ValueError(
            f"prefix {prefix!r} must be the first 4 to 6 digits of a 10-digit mobile number (starting 6-9)"
        )
    return prefix


def operator_code(text: str) -> str:
    code = text.strip().upper()
    if code not in OPERATORS:
        raise ValueError(f"unknown operator code {text.strip()!r} (known: {', '.join(sorted(OPERATORS))})")
    return code


def circle_code(text: str) -> str:
    code = text.strip().upper()
    if code not in CIRCLES:
        raise ValueError(f"unknown circle code {text.strip()!r} (known: {', '.join(sorted(CIRCLES))})")
    return code


_DND_FLAGS = {
    "yes": True,
    "true": True,
    "1": True,
    "y": True,
    "no": False,
    "false": False,
    "0": False,
    "n": False,
}


def dnd_flag(text: str) -> bool:
    value = _DND_FLAGS.get(text.strip().lower())
    if value is None:
        raise ValueError(f"dnd must be yes/no/true/false/1/0, not {text.strip()!r}")
    return value
