"""A book picker made of ipywidgets: a quantity per book and the running total.

Prices shown here are for the presenter's eyes only; the shop prices the order
again from its catalog when ``Workbench.create_order`` sends the picker's ``items``.
"""

from html import escape

import ipywidgets as widgets

from press_workbench.sandbox import format_amount
from press_workbench.shop import MAX_QUANTITY

from .display import NO_MATH, Table, WholeText


class BookPicker(WholeText, widgets.VBox):
    """One row per book with a quantity box, then the total; ``items`` is what ``create_order`` takes."""

    def __init__(self, books, selected=None):
        selected = selected or {}
        self.books = {book["id"]: book for book in books}
        self.quantities = {
            book["id"]: widgets.BoundedIntText(
                value=selected.get(book["id"], 0), min=0, max=MAX_QUANTITY, layout=widgets.Layout(width="72px")
            )
            for book in books
        }
        self.total = widgets.HTML()
        rows = [
            widgets.HBox(
                [
                    self.quantities[book["id"]],
                    widgets.HTML(
                        f"<span class='{NO_MATH}'><b>{escape(book['title'])}</b> — {escape(book['author'])} · "
                        f"{format_amount(book['price'], book['currency'])}</span>"
                    ),
                ]
            )
            for book in books
        ]
        super().__init__(rows + [self.total])
        for box in self.quantities.values():
            box.observe(self._show_total, names="value")
        self._show_total()

    @property
    def items(self):
        """The chosen books as the shop's API takes them (book id and quantity, nothing priced)."""
        return [{"book_id": book_id, "quantity": box.value} for book_id, box in self.quantities.items() if box.value]

    @property
    def total_text(self):
        """A running total while choosing; the order itself is priced by the shop."""
        amount = sum(self.books[item["book_id"]]["price"] * item["quantity"] for item in self.items)
        currency = next(iter(self.books.values()))["currency"] if self.books else "usd"
        return format_amount(amount, currency)

    def _show_total(self, change=None):
        self.total.value = f"<b class='{NO_MATH}'>Total {self.total_text}</b>"

    def __repr__(self):
        rows = [
            [
                self.quantities[book_id].value,
                book["title"],
                book["author"],
                format_amount(book["price"], book["currency"]),
            ]
            for book_id, book in self.books.items()
        ]
        table = Table(["quantity", "title", "author", "price"], rows).text()
        return f"{table}\nTotal {self.total_text}"
