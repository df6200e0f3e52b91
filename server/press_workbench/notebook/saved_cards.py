"""Saved cards as a notebook or the dashboard sees them: the cards of this kernel's shopper.

A kernel is a shopper of its own for the shop: its ``ShopAPI`` keeps the shop's session
cookie, as a browser does, so the cards a lesson saves belong to that kernel, and each
dashboard page (one kernel per page) is one shopper.  The checkout frames a kernel shows
are the browser's own session; they only take a new card (or show the bank's 3D Secure
page), while the choice to save it, the saved cards and paying with one go through the
kernel, which holds the shopper's session (``server/press_workbench/shop/saved_cards.py``).

``SavedCards`` is the list as a notebook card; ``SavedCardsPanel`` is the dashboard's
"Pay with" choice, its Remove buttons and "Save my card for next time".
"""

import ipywidgets as widgets

from press_workbench.shop import card_label

from .display import Card, CardView, Table


def card_id(card):
    """A saved card's ``pm_…`` id, from the id itself or a card as the shop lists it."""
    return card if isinstance(card, str) else card["id"]


def expiry(card):
    """``12/34``, as the card shows it."""
    return f"{card['exp_month']:02d}/{card['exp_year'] % 100:02d}"


class SavedCards(CardView, list):
    """This kernel's saved cards, as ``GET /api/saved-cards`` lists them; displays as a table."""

    def card(self):
        """The cards as a notebook card: id, brand and last 4 (expiry dates change with the day a lesson runs)."""
        rows = [[card["id"], card_label(card)] for card in self]
        count = f"{len(self)} card{'s' if len(self) != 1 else ''}"
        if not rows:
            return Card("Saved cards", count, [("cards", "none saved by this shopper")], tone="neutral")
        return Card("Saved cards", count, tone="info", tables=[("", Table(["id", "card"], rows))])


class SavedCardsPanel:
    """The dashboard's saved cards: pay with one, remove one, or choose to save the next new card.

    It owns its widgets and draws them from the dashboard's state (``render``); clicks go to
    the dashboard (``choose`` and ``remove`` queue a job; ``save`` is a plain choice kept in
    the state at once, so a redraw never undoes a tick).
    """

    def __init__(self, choose, remove, save):
        self._choose, self._remove = choose, remove
        self.rows = {}  # card id → (row, choose button, remove button)
        self.heading = widgets.HTML("<h3>Pay with</h3>")
        self.cards = widgets.VBox()
        self.new_card = widgets.Button(description="A new card", icon="credit-card")
        self.new_card.on_click(lambda _: choose(None))
        self.save = widgets.Checkbox(description="Save my card for next time", indent=False)
        self.save.observe(lambda change: save(change["new"]), "value")
        self.view = widgets.VBox([self.heading, self.cards, self.new_card, self.save])
        for widget, name in (
            (self.view, "wb-saved-cards"),
            (self.new_card, "wb-new-card"),
            (self.save, "wb-save-card"),
        ):
            widget.add_class(name)

    def _row(self, card):
        if card["id"] not in self.rows:
            use = widgets.Button(tooltip=f"Pay with {card_label(card)}", layout=widgets.Layout(flex="1"))
            use.add_class("wb-saved-card")
            use.on_click(lambda _: self._choose(card["id"]))
            remove = widgets.Button(description="Remove", tooltip=f"Remove {card_label(card)}")
            remove.add_class("wb-remove-saved-card")
            remove.on_click(lambda _: self._remove(card["id"]))
            self.rows[card["id"]] = (widgets.HBox([use, remove]), use, remove)
        return self.rows[card["id"]]

    def render(self, cards, pay_with, save, disabled):
        """Draw ``cards``, the one chosen (``pay_with``, None for a new card) and the save choice."""
        rows = []
        for card in cards:
            row, use, remove = self._row(card)
            chosen = card["id"] == pay_with
            use.description = f"{'● ' if chosen else '○ '}{card_label(card)} · {expiry(card)}"
            use.button_style = "info" if chosen else ""
            use.disabled = remove.disabled = disabled
            rows.append(row)
        self.cards.children = rows
        self.heading.layout.display = self.cards.layout.display = self.new_card.layout.display = (
            None if cards else "none"
        )
        self.new_card.description = f"{'● ' if pay_with is None else '○ '}A new card"
        self.new_card.button_style = "info" if pay_with is None else ""
        self.save.value = save
        self.save.layout.display = None if pay_with is None else "none"
        self.new_card.disabled = self.save.disabled = disabled
