"""The book catalog, read from ``catalog.json``: the only source of prices.

Orders are priced here on the server from book ids and quantities; nothing a
browser or widget sends can change an amount.
"""

import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache

CATALOG_PATH = os.path.join(os.path.dirname(__file__), "catalog.json")
MAX_QUANTITY = 10


class CatalogError(ValueError):
    """A bad line in an order: an unknown book or a quantity out of range."""

    def __init__(self, code, message, param=None):
        super().__init__(message)
        self.code, self.message, self.param = code, message, param


@dataclass(frozen=True)
class Book:
    id: str
    title: str
    author: str
    description: str
    price: int
    currency: str
    palette: tuple

    @property
    def cover_url(self):
        return f"/covers/{self.id}.svg"

    def to_api(self):
        data = asdict(self)
        del data["palette"]
        data["cover_url"] = self.cover_url
        return data


@lru_cache(maxsize=4)
def load_catalog(path=CATALOG_PATH):
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    books = [Book(currency=raw["currency"], **{**b, "palette": tuple(b["palette"])}) for b in raw["books"]]
    return {book.id: book for book in books}


def price_lines(items, catalog):
    """Turn ``[{"book_id", "quantity"}]`` into priced line snapshots, merging repeated books."""
    if not isinstance(items, list) or not items:
        raise CatalogError("empty_cart", "An order needs at least one item.", "items")
    quantities = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise CatalogError("invalid_item", f"items[{index}] must be an object.", f"items[{index}]")
        book_id, quantity = item.get("book_id"), item.get("quantity", 1)
        if not isinstance(book_id, str) or book_id not in catalog:
            raise CatalogError("unknown_book", f"No such book: {book_id!r}.", f"items[{index}].book_id")
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise CatalogError("invalid_quantity", f"items[{index}].quantity must be an integer.",
                               f"items[{index}].quantity")  # fmt: skip
        quantities[book_id] = quantities.get(book_id, 0) + quantity
    lines = []
    for book_id, quantity in quantities.items():
        if not 1 <= quantity <= MAX_QUANTITY:
            raise CatalogError("invalid_quantity", f"Quantity for {book_id!r} must be between 1 and {MAX_QUANTITY}.",
                               "quantity")  # fmt: skip
        book = catalog[book_id]
        lines.append({"book_id": book.id, "title": book.title, "unit_price": book.price, "quantity": quantity,
                      "amount": book.price * quantity})  # fmt: skip
    currencies = {catalog[line["book_id"]].currency for line in lines}
    if len(currencies) != 1:
        raise CatalogError("mixed_currency", "All books in one order must share a currency.", "items")
    return lines, currencies.pop()
