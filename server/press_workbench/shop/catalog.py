"""The book catalog, read from ``catalog.json``: the only source of prices.

Orders are priced here on the server from book ids and quantities; nothing a
browser or widget sends can change an amount.  Each book has a price of its own in
every currency the shop sells in (``"prices": {"usd": 2300, "eur": 2200}``), and a
running shop sells in one of them (``SHOP_CURRENCY``): a shop sets its prices per
market, as Stripe Prices do with ``currency_options``, rather than converting them
at a rate that would move prices by itself.
"""

import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache

from .errors import ShopError
from .validation import MAX_LINES, MAX_QUANTITY, merged_quantity, quantity, shown

__all__ = ["DEFAULT_CURRENCY", "MAX_QUANTITY", "Book", "catalog_currencies", "load_catalog", "price_lines"]
CATALOG_PATH = os.path.join(os.path.dirname(__file__), "catalog.json")
DEFAULT_CURRENCY = "usd"


@dataclass(frozen=True)
class Book:
    """One book for sale; frozen, because the catalog is the only source of prices and nothing may alter one."""

    id: str
    title: str
    author: str
    description: str
    price: int
    currency: str
    palette: tuple

    @property
    def cover_url(self):
        """Where the shop serves this book's cover, drawn from the catalog data (no image files to keep in step)."""
        return f"/covers/{self.id}.svg"

    def to_api(self):
        """The book as ``GET /api/books`` shows it: clients need the cover's URL, not its colours."""
        data = asdict(self)
        del data["palette"]
        data["cover_url"] = self.cover_url
        return data


@lru_cache(maxsize=4)
def _read(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["books"]


def catalog_currencies(path=CATALOG_PATH):
    """The currencies every book has a price in: the ones ``SHOP_CURRENCY`` may name."""
    return sorted(set.intersection(*(set(book["prices"]) for book in _read(path))))


@lru_cache(maxsize=4)
def load_catalog(currency=DEFAULT_CURRENCY, path=CATALOG_PATH):
    """The books by id, priced in ``currency``; cached, since it is read on every request and never changes."""
    if currency not in catalog_currencies(path):
        raise ValueError(f"The catalog has no prices in {currency!r}; it has {', '.join(catalog_currencies(path))}.")
    return {
        book["id"]: Book(
            **{key: value for key, value in book.items() if key not in ("prices", "palette")},
            price=book["prices"][currency],
            currency=currency,
            palette=tuple(book["palette"]),
        )
        for book in _read(path)
    }


def price_lines(items, catalog):
    """Turn ``[{"book_id", "quantity"}]`` into priced line snapshots, merging repeated books.

    Each line must hold 1–10 copies, and so must the lines of one book added up
    (``[11, -5]`` is refused, not merged into 6).
    """
    if not isinstance(items, list) or not items:
        raise ShopError("empty_cart", "An order needs at least one item.", "items")
    if len(items) > MAX_LINES:
        raise ShopError("too_many_items", f"An order can have at most {MAX_LINES} items.", "items")
    quantities = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ShopError("invalid_item", f"items[{index}] must be an object.", f"items[{index}]")
        book_id = item.get("book_id")
        if not isinstance(book_id, str) or book_id not in catalog:
            raise ShopError("unknown_book", f"No such book: {shown(book_id)}.", f"items[{index}].book_id")
        count = quantity(item.get("quantity", 1), f"items[{index}].quantity", catalog[book_id].title)
        quantities[book_id] = merged_quantity(
            quantities.get(book_id, 0) + count, catalog[book_id].title, f"items[{index}].quantity"
        )
    lines = []
    for book_id, count in quantities.items():
        book = catalog[book_id]
        lines.append(
            {
                "book_id": book.id,
                "title": book.title,
                "unit_price": book.price,
                "quantity": count,
                "amount": book.price * count,
            }
        )
    currencies = {catalog[line["book_id"]].currency for line in lines}
    if len(currencies) != 1:
        raise ShopError("mixed_currency", "All books in one order must share a currency.", "items")
    return lines, currencies.pop()
