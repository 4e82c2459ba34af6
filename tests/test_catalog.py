"""Catalogue files: importing, re-importing during a week, and errors an organiser can fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.chat import Chat

from bot.app import App, build_app
from bot.cli import main
from bot.settings import Settings
from orders.catalog import CatalogError, load_catalog, parse_catalog

FISH = Path(__file__).parent / "fixtures" / "fish-club" / "catalog.yaml"
VEG = Path(__file__).parent / "fixtures" / "veg-basket" / "catalog.yaml"


def _fish_data() -> dict[str, Any]:
    return yaml.safe_load(FISH.read_text(encoding="utf-8"))


def _product(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in data["products"] if p["id"] == code)


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- valid files -------------------------------------------------------------------------


def test_fixture_catalogues_are_valid() -> None:
    fish = load_catalog(FISH)
    assert fish.club == "Fish club of Montsouris"
    assert fish.locale == "fr"
    assert fish.supplier.author_id == "u-charles"
    assert fish.organisers == ["u-patrick"]
    assert len(fish.products) == 26
    moules = fish.products[0]
    assert (moules.id, moules.unit, str(moules.price)) == ("moules", "kg", "6.5")
    assert "mussels" in moules.aliases
    veg = load_catalog(VEG)
    assert veg.organisers == ["u-cecile"]


def test_import_creates_the_club_and_its_products() -> None:
    app = build_app(Settings(database_url="sqlite://"))
    try:
        result = app.import_catalog(FISH, bind=("test", "chat-1"))
        assert (result.slug, result.added, result.updated, result.withdrawn) == (
            "fish-club-of-montsouris",
            26,
            0,
            0,
        )
        again = app.import_catalog(FISH)
        assert again.club_id == result.club_id
        assert (again.added, again.updated, again.withdrawn) == (0, 26, 0)
        other = app.import_catalog(VEG)
        assert other.club_id != result.club_id
    finally:
        app.close()


def test_imported_catalogue_is_what_members_see(chat: Chat) -> None:
    [text] = chat.say("/catalogue")
    assert text.startswith("Fish club of Montsouris")
    assert "Moules de bouchot : 6,50 € le kg" in text
    assert "Huîtres de Saint-Vaast n°3 : 11,00 € la douzaine" in text
    assert "Retrait : Samedi 9h00-10h30" in text


# --- re-import during a week ----------------------------------------------------------


def test_reimport_with_new_price_and_alias_keeps_the_week(
    app: App, chat: Chat, tmp_path: Path
) -> None:
    chat.say("2 kg de moules et 2 dorades")
    chat.say("3 soles", author="u-karim")
    before = chat.orders()
    assert before == {"u-laure": {"moules": 2, "dorade": 2}, "u-karim": {"sole": 3}}
    chat.say("1 kg de bouchots", author="u-marc")
    assert chat.orders() == before  # "bouchots" is not a product yet

    data = _fish_data()
    _product(data, "moules")["price"] = 7.1
    _product(data, "moules")["aliases"].append("bouchots")
    result = app.import_catalog(_write(tmp_path / "catalog.yaml", data), bind=("test", "chat-1"))

    assert (result.added, result.updated, result.withdrawn) == (0, 26, 0)
    assert chat.orders() == before
    [catalogue] = chat.say("/catalogue")
    assert "Moules de bouchot : 7,10 € le kg" in catalogue
    assert "6,50" not in catalogue
    [confirmation] = chat.say("1 kg de bouchots", author="u-marc")
    assert "7,10 €" in confirmation
    assert chat.orders() == {**before, "u-marc": {"moules": 1}}
    [order] = chat.say("/commande")
    assert "moules 2 kg" in order
    assert "38,20 €" in order  # 2 × 7,10 + 2 × 12,00


def test_removed_product_becomes_unavailable_but_order_lines_stay(
    app: App, chat: Chat, tmp_path: Path
) -> None:
    chat.say("2 kg de moules et 1 kg de bulots")
    assert chat.orders() == {"u-laure": {"moules": 2, "bulots": 1}}

    data = _fish_data()
    data["products"] = [p for p in data["products"] if p["id"] != "bulots"]
    result = app.import_catalog(_write(tmp_path / "catalog.yaml", data), bind=("test", "chat-1"))

    assert (result.added, result.updated, result.withdrawn) == (0, 25, 1)
    assert chat.orders() == {"u-laure": {"moules": 2, "bulots": 1}}
    [catalogue] = chat.say("/catalogue")
    assert "Bulots" not in catalogue
    assert "Moules de bouchot" in catalogue
    chat.say("1 kg de bulots", author="u-marc")
    assert "u-marc" not in chat.orders()
    [recap] = chat.say("/recap", author="u-patrick")
    assert "Bulots de Granville : 1 kg" in recap


def test_product_back_in_the_file_is_available_again(app: App, chat: Chat, tmp_path: Path) -> None:
    data = _fish_data()
    data["products"] = [p for p in data["products"] if p["id"] != "bulots"]
    app.import_catalog(_write(tmp_path / "without.yaml", data), bind=("test", "chat-1"))
    chat.say("1 kg de bulots")
    assert chat.orders() == {}
    result = app.import_catalog(FISH, bind=("test", "chat-1"))
    assert (result.added, result.updated, result.withdrawn) == (0, 26, 0)
    chat.say("1 kg de bulots")
    assert chat.orders() == {"u-laure": {"bulots": 1}}


# --- malformed files ------------------------------------------------------------------

MINIMAL = """\
club: Test club
supplier:
  name: Charles
products:
  - id: moules
    name: Moules
    unit: kg
    price: 6.50
  - id: bar
    name: Bar
    unit: piece
    price: 22
"""

BAD = {
    "bad yaml": (MINIMAL.replace("  name: Charles", "  name: [Charles"), 4, None),
    "unknown unit": (MINIMAL.replace("unit: kg", "unit: kilo"), 7, "unit"),
    "negative price": (MINIMAL.replace("price: 22", "price: -22"), 12, "price"),
    # The exact line of a duplicate id is checked by its own test below.
    "duplicate product id": (MINIMAL.replace("id: bar", "id: moules"), None, "moules"),
    "missing supplier": (MINIMAL.replace("supplier:\n  name: Charles\n", ""), 1, "supplier"),
    "supplier without name": (
        MINIMAL.replace("  name: Charles\n", "  contact: x\n"),
        2,
        "supplier",
    ),
    "not a mapping": ("- moules\n- bar\n", 1, None),
    "empty file": ("", 1, None),
    "price is text": (MINIMAL.replace("price: 6.50", "price: cher"), 8, "price"),
    "unknown key": (
        MINIMAL.replace("    unit: piece", "    unit: piece\n    colour: red"),
        12,
        "colour",
    ),
}


def test_minimal_catalogue_is_valid() -> None:
    spec = parse_catalog(MINIMAL)
    assert [p.id for p in spec.products] == ["moules", "bar"]


@pytest.mark.parametrize(("text", "line", "field"), BAD.values(), ids=BAD.keys())
def test_malformed_catalogue_names_line_and_field(
    text: str, line: int | None, field: str | None
) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, source="club.yaml")
    message = str(caught.value)
    assert re.match(rf"club\.yaml line {line or '[0-9]+'}:", message), message
    if field is not None:
        assert field in message, message


def test_unknown_unit_message_lists_the_units() -> None:
    with pytest.raises(CatalogError, match=r"line 7: products\[0\] \(moules\)\.unit: .*kilo"):
        parse_catalog(MINIMAL.replace("unit: kg", "unit: kilo"), source="club.yaml")


def test_negative_price_names_the_product() -> None:
    with pytest.raises(CatalogError, match=r"line 12: products\[1\] \(bar\)\.price"):
        parse_catalog(MINIMAL.replace("price: 22", "price: -22"), source="club.yaml")


def test_duplicate_id_points_at_the_second_occurrence() -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(MINIMAL.replace("id: bar", "id: moules"), source="club.yaml")
    message = str(caught.value)
    # Line 9 is where "- id: moules" appears the second time; the "products:" key (line 4)
    # leaves the organiser to hunt for it in a long file.
    assert message.startswith("club.yaml line 9: products[1]"), message
    assert "moules" in message


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (
            "bouchots",
            "Bouchots",
            "alias 'Bouchots' is already an alias of product 'moules' (line 8)",
        ),
        # "6 eggs" and "12 eggs": in "2 x 12 eggs" the number is read as the amount ordered.
        (
            "6 moules",
            "12 moules",
            "alias '12 moules' reads the same as '6 moules' of product 'moules' (line 8): "
            "a number in front of a name is read as the amount ordered",
        ),
    ],
)
def test_an_alias_two_products_share_names_both_as_written(
    first: str, second: str, why: str
) -> None:
    text = MINIMAL.replace("    unit: kg\n", f"    unit: kg\n    aliases: [{first}]\n").replace(
        "    unit: piece\n", f"    unit: piece\n    aliases: [{second}]\n"
    )
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, source="club.yaml")
    assert str(caught.value) == (
        f"club.yaml line 13: products[1] (bar).aliases: {why}; give each alias to one product"
    )


def test_load_catalog_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(MINIMAL.replace("unit: kg", "unit: kilo"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.yaml line 7: .*unit"):
        load_catalog(path)
    with pytest.raises(CatalogError, match=r"missing\.yaml"):
        load_catalog(tmp_path / "missing.yaml")


def test_failed_import_changes_nothing(app: App, chat: Chat, tmp_path: Path) -> None:
    chat.say("2 kg de moules")
    path = tmp_path / "broken.yaml"
    path.write_text(
        FISH.read_text(encoding="utf-8").replace("price: 6.50", "price: -6.50"), encoding="utf-8"
    )
    with pytest.raises(CatalogError):
        app.import_catalog(path, bind=("test", "chat-1"))
    assert chat.orders() == {"u-laure": {"moules": 2}}
    [catalogue] = chat.say("/catalogue")
    assert "Moules de bouchot : 6,50 € le kg" in catalogue


# --- the `orderbot catalog import` command ------------------------------------------


@pytest.fixture
def ledger_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.mark.parametrize(("text", "line", "field"), BAD.values(), ids=BAD.keys())
def test_cli_import_of_malformed_catalogue_exits_2(
    ledger_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    line: int | None,
    field: str | None,
) -> None:
    path = tmp_path / "club.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["catalog", "import", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("orderbot: ")
    assert re.search(rf"club\.yaml line {line or '[0-9]+'}:", err), err
    assert "Traceback" not in err
    assert out == ""


def test_cli_import_of_missing_file_exits_2(
    ledger_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "import", str(tmp_path / "nope.yaml")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("orderbot: ") and "nope.yaml" in err
    assert "Traceback" not in err


def test_cli_import_creates_then_updates_and_binds_the_chat(
    ledger_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "import", str(FISH), "--chat", "telegram:-1001"]) == 0
    assert "club fish-club-of-montsouris: 26 products added, 0 updated, 0 withdrawn" in (
        capsys.readouterr().out
    )
    assert main(["catalog", "import", str(FISH)]) == 0
    assert "0 products added, 26 updated, 0 withdrawn" in capsys.readouterr().out

    app = build_app(Settings(database_url=ledger_url))
    try:
        chat = Chat(app, 1, platform="telegram", chat_id="-1001")  # the only club: id 1
        [reply] = chat.say("2 kg de moules")
        assert reply.startswith("Noté Laure : moules 2 kg")
        assert chat.orders() == {"u-laure": {"moules": 2}}
    finally:
        app.close()


def test_cli_import_rejects_a_chat_without_platform(
    ledger_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "import", str(FISH), "--chat", "-1001"]) == 2
    assert capsys.readouterr().err.startswith("orderbot: ")
