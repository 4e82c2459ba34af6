"""Reading a club's catalogue file and importing it into the ledger.

The file format is the YAML catalogue of the thread-replay spec. Errors name
the line and the field at fault, so an organiser can fix the file alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session, select

from orders.models import UNITS, Club, ClubChat, ClubRole, Product, Supplier


class CatalogError(ValueError):
    """A catalogue file that cannot be used, with the place of the fault."""


class SupplierSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    author_id: str = Field(default="", max_length=128)
    contact: str = Field(default="", max_length=300)
    # Where the weekly order goes: {"email": "a@b.fr", "telegram": "-100…", "sms": "+33…"}.
    channels: dict[str, str] = Field(default_factory=dict)

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: dict[str, str]) -> dict[str, str]:
        from suppliers.models import CHANNELS

        for name, address in value.items():
            if name not in CHANNELS:
                raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {name!r}")
            if not str(address).strip() or len(str(address)) > 200:
                raise ValueError(f"the {name} address must be 1 to 200 characters")
        return {name: str(address).strip() for name, address in value.items()}


class ScheduleSpec(BaseModel):
    """A club's week, each step as "sat 09:00" in its timezone; missing steps get defaults."""

    model_config = ConfigDict(extra="forbid")
    opens: str | None = None
    last_call: str | None = None
    closes: str | None = None
    supplier: str | None = None
    confirm_by: str | None = None
    reminder: str | None = None
    pickup: str | None = None
    not_collected: str | None = None

    @field_validator("*")
    @classmethod
    def _weekly_time(cls, value: str | None) -> str | None:
        from schedules.week import parse_when

        if value in (None, "", "off"):
            return value
        if parse_when(str(value)) is None:
            raise ValueError(f"{value!r} is not a day and a time like 'sat 09:00'")
        return str(value)


class ProductSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=200)
    unit: str
    price: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    aliases: list[str] = Field(default_factory=list)
    stock: Decimal | None = Field(default=None, gt=0)
    available: bool = True

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if value not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {value!r}")
        return value

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases_are_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(alias) for alias in value]
        return value


class CatalogSpec(BaseModel):
    """A validated catalogue file."""

    model_config = ConfigDict(extra="forbid")
    club: str = Field(min_length=1, max_length=200)
    locale: str = Field(default="fr", pattern=r"^(fr|en)$")
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    timezone: str = "Europe/Paris"
    supplier: SupplierSpec
    organisers: list[str] = Field(default_factory=list)
    pickup: str = ""
    schedule: ScheduleSpec | None = None
    products: list[ProductSpec] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("products")
    @classmethod
    def _unique_ids(cls, products: list[ProductSpec]) -> list[ProductSpec]:
        seen: set[str] = set()
        for product in products:
            if product.id in seen:
                raise ValueError(f"product id {product.id!r} appears twice")
            seen.add(product.id)
        return products

    @property
    def slug(self) -> str:
        return slugify(self.club)


def slugify(text: str) -> str:
    """Turn a club name into a stable ascii identifier."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "club"


def load_catalog(path: Path) -> CatalogSpec:
    """Read and validate a catalogue file, raising :class:`CatalogError` with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the file ({exc})") from exc
    return parse_catalog(text, source=str(path))


def parse_catalog(text: str, *, source: str = "catalog") -> CatalogSpec:
    """Validate catalogue YAML given as text."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{source}{where}: not valid YAML ({problem})") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{source} line 1: expected a mapping with club, supplier and products")
    lines = _line_map(node)
    _check_unique_ids(data, lines, source)
    _check_unique_aliases(data, lines, source)
    try:
        return CatalogSpec.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(_describe(exc, lines, data, source)) from None


def _check_unique_ids(data: dict[str, Any], lines: dict[tuple[Any, ...], int], source: str) -> None:
    """Point at the second occurrence of a product id, where the organiser must look."""
    products = data.get("products")
    if not isinstance(products, list):
        return
    seen: set[str] = set()
    for index, product in enumerate(products):
        pid = product.get("id") if isinstance(product, dict) else None
        if not isinstance(pid, str):
            continue
        if pid in seen:
            line = lines.get(("products", index, "id"), lines.get(("products", index), 1))
            raise CatalogError(
                f"{source} line {line}: products[{index}] ({pid}).id: "
                f"product id {pid!r} appears twice"
            )
        seen.add(pid)


def _check_unique_aliases(
    data: dict[str, Any], lines: dict[tuple[Any, ...], int], source: str
) -> None:
    """Refuse an alias two products share: members' messages would go to the first one."""
    from orders.parsing.products import key_words

    products = data.get("products")
    if not isinstance(products, list):
        return
    owners: dict[tuple[str, ...], tuple[str, int, str]] = {}
    for index, product in enumerate(products):
        aliases = product.get("aliases") if isinstance(product, dict) else None
        pid = product.get("id") if isinstance(product, dict) else None
        if not isinstance(aliases, list) or not isinstance(pid, str):
            continue
        for position, alias in enumerate(aliases):
            text = str(alias)
            key = key_words(text)
            line = lines.get(("products", index, "aliases", position), 1)
            owner = owners.setdefault(key, (pid, line, text)) if key else (pid, line, text)
            if owner[0] != pid:
                raise CatalogError(
                    f"{source} line {line}: products[{index}] ({pid}).aliases: "
                    + _shared_alias(text, *owner)
                    + "; give each alias to one product"
                )


def _shared_alias(alias: str, owner: str, line: int, written: str) -> str:
    """Why two aliases clash, with the other one as it was written ("6 eggs", "12 eggs")."""
    if alias.strip().lower() == written.strip().lower():
        return f"alias {alias!r} is already an alias of product {owner!r} (line {line})"
    said = f"alias {alias!r} reads the same as {written!r} of product {owner!r} (line {line})"
    if alias.lstrip()[:1].isdigit() or written.lstrip()[:1].isdigit():
        said += ": a number in front of a name is read as the amount ordered"
    return said


def _line_map(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every path in the document to the line it starts on (1-based)."""
    found: dict[tuple[Any, ...], int] = {}
    if node is None:
        return found
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, key_node.value)
            found.update(_line_map(value_node, key))
            found[key] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_line_map(item, (*path, index)))
    return found


def _describe(
    exc: ValidationError, lines: dict[tuple[Any, ...], int], data: dict[str, Any], source: str
) -> str:
    messages = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        probe = loc
        while probe and probe not in lines:
            probe = probe[:-1]
        line = lines.get(probe, 1)
        field = _field_name(loc, data)
        messages.append(f"{source} line {line}: {field}: {error['msg']}")
    return "\n".join(messages)


def _field_name(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            if loc[:index] == ("products",):
                product = data.get("products", [])[part]
                pid = product.get("id") if isinstance(product, dict) else None
                parts[-1] += f"[{part}]" + (f" ({pid})" if pid else "")
            else:
                parts[-1] += f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "catalogue"


@dataclass(frozen=True)
class ImportResult:
    club_id: int
    slug: str
    added: int
    updated: int
    withdrawn: int
    # With a chat to bind: the slug of the club the chat was bound to before ("" if none).
    chat_was: str | None = None


def import_catalog(
    session: Session, spec: CatalogSpec, *, slug: str | None = None, now: Any
) -> ImportResult:
    """Create or update a club from a catalogue, keeping every order already placed.

    Products missing from the new file are marked unavailable, not deleted:
    the week's orders that name them stay intact.
    """
    slug = slug or spec.slug
    club = session.exec(select(Club).where(Club.slug == slug)).first()
    if club is None:
        club = Club(slug=slug, name=spec.club, created_at=now)
    club.name, club.locale, club.currency = spec.club, spec.locale, spec.currency
    club.timezone, club.pickup = spec.timezone, spec.pickup
    club.catalog_version += 1
    session.add(club)
    session.flush()
    assert club.id is not None
    _import_people(session, club.id, spec)
    _import_week(session, club.id, spec, now)
    added, updated, withdrawn = _import_products(session, club.id, spec)
    session.commit()
    return ImportResult(club.id, slug, added, updated, withdrawn)


def _import_people(session: Session, club_id: int, spec: CatalogSpec) -> None:
    supplier = session.exec(select(Supplier).where(Supplier.club_id == club_id)).first()
    supplier = supplier or Supplier(club_id=club_id, name=spec.supplier.name)
    supplier.name, supplier.author_id = spec.supplier.name, spec.supplier.author_id
    supplier.contact = spec.supplier.contact or supplier.contact
    session.add(supplier)
    wanted = {(ref, "organiser") for ref in spec.organisers}
    if spec.supplier.author_id:
        wanted.add((spec.supplier.author_id, "supplier"))
    for role in session.exec(select(ClubRole).where(ClubRole.club_id == club_id)).all():
        if (role.user_ref, role.role) in wanted:
            wanted.discard((role.user_ref, role.role))
        else:
            session.delete(role)
    for ref, role_name in sorted(wanted):
        session.add(ClubRole(club_id=club_id, user_ref=ref, role=role_name))


def _import_week(session: Session, club_id: int, spec: CatalogSpec, now: Any) -> None:
    """The file's schedule and supplier channels, when it names them."""
    from schedules.settings import save_schedule
    from suppliers.dispatch import set_channel

    conn = session.connection()
    if spec.schedule is not None:
        save_schedule(conn, club_id, spec.schedule.model_dump(exclude_none=True), now)
    for channel, address in spec.supplier.channels.items():
        set_channel(conn, club_id, channel, address)


def _import_products(session: Session, club_id: int, spec: CatalogSpec) -> tuple[int, int, int]:
    existing = {p.code: p for p in session.exec(select(Product).where(Product.club_id == club_id))}
    added = updated = 0
    for position, item in enumerate(spec.products):
        product = existing.pop(item.id, None)
        if product is None:
            product = Product(
                club_id=club_id, code=item.id, name=item.name, unit=item.unit, price=item.price
            )
            added += 1
        else:
            updated += 1
        product.name, product.unit, product.price = item.name, item.unit, item.price
        product.aliases, product.stock_limit = list(item.aliases), item.stock
        product.available, product.position = item.available, position
        session.add(product)
    for product in existing.values():
        product.available = False
        session.add(product)
    return added, updated, len(existing)


def bind_chat(session: Session, club_id: int, platform: str, chat_id: str) -> str:
    """Attach a platform thread to a club (idempotent); return the slug of its previous club.

    The slug is "" for a thread bound for the first time.
    """
    found = session.exec(
        select(ClubChat).where(ClubChat.platform == platform, ClubChat.chat_id == chat_id)
    ).first()
    previous = ""
    if found is None:
        session.add(ClubChat(club_id=club_id, platform=platform, chat_id=chat_id))
    else:
        before = session.get(Club, found.club_id)
        previous = before.slug if before is not None else ""
        found.club_id = club_id
        session.add(found)
    session.commit()
    return previous
