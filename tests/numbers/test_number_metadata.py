"""Number metadata: classification, the series/DND store and imports, the shipped seed, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers
import pytest
import typer
from phonenumbers import carrier
from sqlalchemy import func, select
from typer.testing import CliRunner

from trunkline.cli.numbering import dnd_app, numbering_app
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.metadata import (
    CARRIER_OPERATORS,
    CIRCLES,
    LANDLINE,
    MOBILE,
    OPERATORS,
    classify,
    operator_for_carrier,
)
from trunkline.store.database import Database
from trunkline.store.numbering import SEED_RESOURCE, NumberingStore
from trunkline.store.schema.numbering import mobile_series

SEED = Path(__file__).resolve().parents[2] / "src" / "trunkline" / "domain" / "numbers" / "data"
SEED_CSV = SEED / "mobile_series_seed.csv"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    database.migrate()
    return database


@pytest.fixture
def store(db: Database) -> NumberingStore:
    return NumberingStore(db)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def series_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(mobile_series)).scalar_one())


# classify


@pytest.mark.parametrize(
    "raw",
    [
        "09810012345",
        "+919810012345",
        "9810012345",
        " 919810012345",  # a '+' decoded to a space
        "%2B919810012345",
        "919810012345",
        "00919810012345",
        "+91 98100 12345",
        "098100-12345",
    ],
)
def test_given_any_accepted_spelling_when_classify_then_same_e164_and_v1_form(raw: str) -> None:
    number = classify(raw)
    assert number.e164 == "+919810012345"
    assert number.phone_number == "09810012345"
    assert number.type == MOBILE
    assert number.operator == "A"
    assert number.circle == ""


@pytest.mark.parametrize("raw", ["+14155552671", "+442079460958", " 14155552671"])
def test_given_non_indian_number_when_classify_then_invalid_parameter(raw: str) -> None:
    with pytest.raises(InvalidParameter, match="not an Indian") as caught:
        classify(raw)
    assert caught.value.parameter == "number"


@pytest.mark.parametrize("raw", ["12345", "0981001234", "+9170000000000", "0522123456"])
def test_given_invalid_indian_number_when_classify_then_invalid_parameter(raw: str) -> None:
    with pytest.raises(InvalidParameter, match="not a valid Indian phone number"):
        classify(raw)


@pytest.mark.parametrize("raw", ["", "   ", "hello", "sip:alice@example.com"])
def test_given_unparseable_input_when_classify_then_invalid_parameter(raw: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        classify(raw)
    assert caught.value.parameter == "number"


@pytest.mark.parametrize(
    ("raw", "circle"),
    [
        ("02266123456", "MU"),  # Mumbai
        ("01123456789", "DL"),  # New Delhi
        ("01202345678", "DL"),  # Ghaziabad: NCR, although the geocoder says Uttar Pradesh
        ("01242345678", "DL"),  # Gurgaon
        ("08022221234", "KA"),  # Bangalore
        ("04423456789", "TN"),  # Chennai
        ("03322334455", "KO"),  # Kolkata
        ("05222345678", "UE"),  # Lucknow
        ("05852345678", "UE"),  # Hardoi
        ("05812345678", "UW"),  # Bareilly
        ("01212345678", "UW"),  # Meerut
        ("01352345678", "UW"),  # Dehradun, Uttarakhand
        ("08322234567", "MH"),  # Goa
        ("06512345678", "BR"),  # Ranchi
        ("01722345678", "PB"),  # Chandigarh
        ("04132345678", "TN"),  # Pondicherry
        ("03192234567", "WB"),  # Andaman & Nicobar
        ("03612345678", "AS"),  # Guwahati
        ("01912345678", "JK"),  # Jammu
    ],
)
def test_given_fixed_line_when_classify_then_landline_with_circle(raw: str, circle: str) -> None:
    number = classify(raw)
    assert number.type == LANDLINE
    assert number.circle == circle
    assert number.operator == ""


def test_given_toll_free_number_when_classify_then_landline_without_circle() -> None:
    number = classify("18001234567")
    assert (number.type, number.circle, number.operator) == (LANDLINE, "", "")
    assert number.e164 == "+9118001234567"


def test_every_carrier_name_phonenumbers_gives_indian_mobiles_maps_to_an_operator() -> None:
    from phonenumbers.carrierdata import CARRIER_DATA

    names = {
        entry["en"] for prefix, entry in CARRIER_DATA.items() if prefix.startswith("91") and "en" in entry
    }
    assert names, "phonenumbers ships no Indian carrier data"
    assert {name for name in names if operator_for_carrier(name) == ""} == set()
    assert set(CARRIER_OPERATORS.values()) <= set(OPERATORS)


def test_operator_and_circle_tables_have_every_code_of_the_notes() -> None:
    assert set(OPERATORS) == {
        "AC", "A", "AL", "B", "D", "E", "H", "I", "LO", "MT", "P", "R", "S", "ST", "T", "U", "VI", "V",
    }  # fmt: skip
    assert set(CIRCLES) == {
        "AP", "AS", "BR", "CH", "DL", "GJ", "HP", "HR", "JK", "KA", "KL", "KO", "MH", "MP", "MU", "NE",
        "OR", "PB", "RJ", "TN", "UE", "UW", "WB",
    }  # fmt: skip
    assert CIRCLES["GJ"] == "Gujarat Telecom Circle (includes Daman & Diu, Dadra & Nagar Haveli)"


# seed


def seed_rows() -> list[list[str]]:
    lines = [line for line in SEED_CSV.read_text().splitlines() if line and not line.startswith("#")]
    rows = list(csv.reader(lines))
    assert rows[0] == ["prefix", "operator_code", "circle_code", "source"]
    return rows[1:]


def test_seed_file_is_the_packaged_resource_and_starts_with_a_comment() -> None:
    assert SEED_RESOURCE[1] == "data/mobile_series_seed.csv"
    first = SEED_CSV.read_text().splitlines()[0]
    assert first.startswith("#") and "illustrative" in first.lower()


@pytest.mark.parametrize("row", seed_rows(), ids=lambda row: row[0])
def test_each_seed_row_operator_agrees_with_phonenumbers_carrier_data_across_its_series(
    row: list[str],
) -> None:
    prefix, operator, circle, source = row
    assert circle in CIRCLES and operator in OPERATORS and source
    for digit in "0123456789":
        national = (prefix + digit).ljust(10, "0")
        parsed = phonenumbers.parse("+91" + national)
        assert operator_for_carrier(carrier.name_for_number(parsed, "en")) == operator, national


# store


def test_given_empty_table_when_ensure_seed_then_seed_loaded_once(
    tmp_path: Path, db: Database, store: NumberingStore
) -> None:
    store.ensure_seed()
    assert series_count(db) == len(seed_rows())
    store.import_series(write(tmp_path, "x.csv", "7000,R,GJ\n"))
    store.ensure_seed()
    assert series_count(db) == len(seed_rows()) + 1
    assert store.lookup("09820012345").circle == "MU"


def test_given_nested_prefixes_when_lookup_then_longest_prefix_wins(
    tmp_path: Path, store: NumberingStore
) -> None:
    store.import_series(write(tmp_path, "s.csv", "9876,A,PB\n98765,V,HR\n987654,I,HP\n"))
    assert store.lookup("09876543210").circle == "HP"
    assert store.lookup("09876512345").circle == "HR"
    meta = store.lookup("09876012345")
    assert (meta.circle, meta.circle_name, meta.operator, meta.operator_name) == (
        "PB",
        CIRCLES["PB"],
        "A",
        "Airtel",
    )


def test_given_unknown_series_when_lookup_then_circle_is_empty(store: NumberingStore) -> None:
    meta = store.lookup("+919810012345")
    assert (meta.circle, meta.circle_name) == ("", "")
    assert (meta.type, meta.operator, meta.operator_name) == ("Mobile", "A", "Airtel")
    assert meta.phone_number == "09810012345"


def test_given_series_row_when_lookup_then_its_operator_beats_carrier_data(
    tmp_path: Path, store: NumberingStore
) -> None:
    store.import_series(write(tmp_path, "s.csv", "9810,V,DL\n"))
    meta = store.lookup("9810012345")
    assert (meta.operator, meta.operator_name, meta.circle) == ("V", "Vodafone", "DL")


def test_given_landline_when_lookup_then_circle_from_std_code(store: NumberingStore) -> None:
    meta = store.lookup("02266123456")
    assert (meta.type, meta.circle, meta.operator, meta.dnd) == ("Landline", "MU", "", "Unavailable")


def test_given_dnd_registry_when_lookup_then_yes_no_or_unavailable(
    tmp_path: Path, store: NumberingStore
) -> None:
    path = write(
        tmp_path, "dnd.csv", 'number,dnd,categories,source\n09810012345,yes,"1,2",ncpr\n+919811012345,0\n'
    )
    assert store.import_dnd(path) == 2
    assert store.lookup(" 919810012345").dnd == "Yes"
    assert store.lookup("9811012345").dnd == "No"
    assert store.lookup("9820012345").dnd == "Unavailable"


def test_given_dnd_reimport_when_lookup_then_latest_value_wins(tmp_path: Path, store: NumberingStore) -> None:
    store.import_dnd(write(tmp_path, "a.csv", "9810012345,true\n"))
    store.import_dnd(write(tmp_path, "b.csv", "# later file\n\n09810012345,False\n"))
    assert store.lookup("09810012345").dnd == "No"


def test_given_a_bad_series_row_when_import_then_nothing_written_and_line_named(
    tmp_path: Path, db: Database, store: NumberingStore
) -> None:
    path = write(
        tmp_path, "s.csv", "# comment\nprefix,operator_code,circle_code\n9810,A,DL\n9811,ZZ,DL\n12,A,DL\n"
    )
    with pytest.raises(InvalidParameter) as caught:
        store.import_series(path)
    assert "line 4: unknown operator code 'ZZ'" in caught.value.message
    assert "line 5: prefix '12'" in caught.value.message
    assert series_count(db) == 0


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("9810,A,XX", "unknown circle code 'XX'"),
        ("9810,A", "expected prefix,operator_code,circle_code"),
        ("98100123,A,DL", "prefix '98100123'"),
        ("5810,A,DL", "prefix '5810'"),
    ],
)
def test_given_invalid_series_row_when_import_then_invalid_parameter(
    tmp_path: Path, store: NumberingStore, row: str, expected: str
) -> None:
    with pytest.raises(InvalidParameter, match=expected):
        store.import_series(write(tmp_path, "s.csv", row + "\n"))


def test_given_a_bad_dnd_row_when_import_then_nothing_written(tmp_path: Path, store: NumberingStore) -> None:
    path = write(tmp_path, "d.csv", "9810012345,yes\n+14155552671,yes\n9811012345,maybe\n")
    with pytest.raises(InvalidParameter) as caught:
        store.import_dnd(path)
    assert "line 2:" in caught.value.message and "not an Indian" in caught.value.message
    assert "line 3: dnd must be" in caught.value.message
    assert store.lookup("9810012345").dnd == "Unavailable"


def test_given_replace_when_import_then_only_new_rows_remain(
    tmp_path: Path, db: Database, store: NumberingStore
) -> None:
    store.import_series(write(tmp_path, "a.csv", "9810,A,DL\n9811,V,DL\n"))
    assert store.import_series(write(tmp_path, "b.csv", "9820,v,mu,mine\n"), replace=True) == 1
    assert series_count(db) == 1
    assert store.lookup("9810012345").circle == ""
    assert store.lookup("9820012345").circle == "MU"


def test_given_upsert_when_import_then_existing_prefix_updated(
    tmp_path: Path, db: Database, store: NumberingStore
) -> None:
    store.import_series(write(tmp_path, "a.csv", "9810,A,DL\n"))
    assert store.import_series(write(tmp_path, "b.csv", "9810,A,HR\n9811,V,DL\n")) == 2
    assert series_count(db) == 2
    assert store.lookup("9810012345").circle == "HR"


def test_given_missing_file_when_import_then_invalid_parameter(tmp_path: Path, store: NumberingStore) -> None:
    with pytest.raises(InvalidParameter, match="cannot read"):
        store.import_series(tmp_path / "nope.csv")


def test_given_invalid_number_when_lookup_then_invalid_parameter(store: NumberingStore) -> None:
    with pytest.raises(InvalidParameter, match="not an Indian"):
        store.lookup("+14155552671")


# CLI


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(numbering_app, name="numbering")
    app.add_typer(dnd_app, name="dnd")
    return app


def test_given_valid_series_file_when_cli_import_then_count_printed(tmp_path: Path, db: Database) -> None:
    path = write(tmp_path, "s.csv", "9810,A,DL\n9811,V,DL\n")
    result = CliRunner().invoke(cli(), ["numbering", "import", str(path), "--database-url", db.url])
    assert result.exit_code == 0, result.output
    assert "Imported 2 mobile series" in result.stdout
    assert series_count(db) == 2


def test_given_replace_flag_when_cli_import_then_table_replaced(tmp_path: Path, db: Database) -> None:
    NumberingStore(db).import_series(write(tmp_path, "a.csv", "9810,A,DL\n9811,V,DL\n"))
    path = write(tmp_path, "b.csv", "9820,V,MU\n")
    result = CliRunner().invoke(
        cli(), ["numbering", "import", str(path), "--replace", "--database-url", db.url]
    )
    assert result.exit_code == 0, result.output
    assert series_count(db) == 1


def test_given_bad_series_file_when_cli_import_then_exit_2_with_message(tmp_path: Path, db: Database) -> None:
    path = write(tmp_path, "s.csv", "9810,A,DL\n9811,Q,DL\n")
    result = CliRunner().invoke(cli(), ["numbering", "import", str(path), "--database-url", db.url])
    assert result.exit_code == 2
    assert "line 2: unknown operator code 'Q'" in result.stderr
    assert "Traceback" not in result.output
    assert series_count(db) == 0


def test_given_dnd_file_when_cli_import_then_count_printed(tmp_path: Path, db: Database) -> None:
    path = write(tmp_path, "d.csv", "number,dnd\n9810012345,yes\n")
    result = CliRunner().invoke(cli(), ["dnd", "import", str(path), "--database-url", db.url])
    assert result.exit_code == 0, result.output
    assert "Imported 1 DND entries" in result.stdout
    assert NumberingStore(db).lookup("09810012345").dnd == "Yes"


def test_given_bad_dnd_file_when_cli_import_then_exit_2(tmp_path: Path, db: Database) -> None:
    path = write(tmp_path, "d.csv", "9810012345,perhaps\n")
    result = CliRunner().invoke(cli(), ["dnd", "import", str(path), "--database-url", db.url])
    assert result.exit_code == 2
    assert "dnd must be" in result.stderr
