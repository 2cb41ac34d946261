"""Regenerate src/trunkline/domain/numbers/data/india_geodata.csv from phonenumbers' geocoder data.

Importing ``phonenumbers.geocoder`` loads every country's place names (about 100 MB of memory);
Trunkline needs only India's, so they are extracted once into a small table (Apache-2.0 data of
libphonenumber, as the header of the file says). Run after upgrading phonenumbers:

    python scripts/extract_india_geodata.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

TARGET = Path(__file__).resolve().parents[1] / "src/trunkline/domain/numbers/data/india_geodata.csv"


def main() -> None:
    rows = sorted(
        (prefix, names["en"])
        for prefix, names in GEOCODE_DATA.items()
        if prefix.startswith("91") and "en" in names
    )
    with TARGET.open("w", newline="", encoding="utf-8") as out:
        out.write(
            "# Indian number prefixes (with country code 91) and their English place names, from\n"
            f"# phonenumbers {phonenumbers.__version__} (libphonenumber geocoding data, Apache-2.0),\n"
            "# extracted by scripts/extract_india_geodata.py.\n"
        )
        writer = csv.writer(out)
        writer.writerow(["prefix", "description"])
        writer.writerows(rows)
    print(f"{len(rows)} prefixes written to {TARGET}")


if __name__ == "__main__":
    main()
