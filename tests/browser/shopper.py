"""What a shopper does in the browser, step by step, shared by the browser tests."""

import re

from playwright.sync_api import expect

from press_workbench.shop.catalog import load_catalog

CARD_FRAME = 'iframe[title="Secure payment input frame"]'
THREE_D_SECURE_FRAME = 'iframe[title="3D Secure authentication"]'


def buy_now(page, shop_url, book_id, quantity=1):
    """From the catalog, "Buy now" one book; lands on its checkout page."""
    page.goto(shop_url + "/")
    card = page.locator(f'[data-testid=book-card][data-book-id="{book_id}"]')
    card.get_by_test_id("quantity").select_option(str(quantity))
    card.get_by_test_id("buy-button").click()
    expect(page.get_by_test_id("order-total")).to_be_visible()


def fill_card(page, number, expiry="12 / 34", cvc="123", postal="10001"):
    frame = page.frame_locator(CARD_FRAME)
    frame.locator('[autocomplete="cc-number"]').fill(number)
    frame.locator('[autocomplete="cc-exp"]').fill(expiry)
    frame.locator('[autocomplete="cc-csc"]').fill(cvc)
    postal_input = frame.locator('[autocomplete$="postal-code"]')  # also "billing postal-code"
    if postal_input.is_visible():
        postal_input.fill(postal)


def fill_test_card(page, number):
    """Click the sandbox's "Fill test card" button for ``number``: the presenter's one click instead of typing."""
    page.frame_locator(CARD_FRAME).get_by_role("button", name=re.compile(rf"^Fill test card {number} ")).click()


def pay(page, number, **card):
    fill_card(page, number, **card)
    button = page.get_by_test_id("pay-button")
    expect(button).to_be_enabled()
    button.click()


def card_terms(page):
    """Stripe's card terms in the Payment Element ("By providing your card information, you allow … to charge
    your card for future payments…"), shown when the card will be saved."""
    return page.frame_locator(CARD_FRAME).get_by_text(re.compile("^By providing your card information, you allow"))


def choose_payment_method(page, name):
    """Pick a tab of the Payment Element, named as Stripe names it ("Card", "iDEAL", "SEPA Debit")."""
    page.frame_locator(CARD_FRAME).get_by_role("tab", name=name).click()


def fill_iban(page, iban, name="Jenny Rosen", email="jenny.rosen@example.com"):
    """The Payment Element's SEPA Debit tab: the account holder's name and email, and the IBAN."""
    frame = page.frame_locator(CARD_FRAME)
    frame.locator('[autocomplete="name"]').fill(name)
    frame.locator('[autocomplete="email"]').fill(email)
    frame.locator("input[name=iban]").fill(iban)


def authenticate(page, result="complete"):
    """Press Complete or Fail in the 3D Secure modal Stripe.js opens over the page."""
    page.frame_locator(THREE_D_SECURE_FRAME).get_by_test_id(f"3ds-{result}").click()


def frame(page, title):
    """The Element iframe with this title (Stripe.js's titles: "Secure email input frame", …)."""
    return page.frame_locator(f'iframe[title="{title}"]')


def fill_email(page, email):
    frame(page, "Secure email input frame").locator('[autocomplete="email"]').fill(email)


def fill_address(
    page, name="Jenny Rosen", line1="354 Oyster Point Blvd", city="South San Francisco", state="CA", postal="94080"
):
    address = frame(page, "Secure address input frame")
    for autocomplete, value in (
        ("name", name),
        ("address-line1", line1),
        ("address-level2", city),
        ("address-level1", state),
        ("postal-code", postal),
    ):
        address.locator(f'[autocomplete="{autocomplete}"]').fill(value)


def fill_card_element(page, number, expiry="12 / 34", cvc="123", postal="10001"):
    """The one-line card Element: number, expiry, CVC and ZIP."""
    card = frame(page, "Secure card payment input frame")
    for autocomplete, value in (("cc-number", number), ("cc-exp", expiry), ("cc-csc", cvc), ("postal-code", postal)):
        card.locator(f'[autocomplete="{autocomplete}"]').fill(value)


# -- the Voilà dashboard (its widgets' wb-* DOM classes) ----------------------------------------------------
def open_dashboard(page, url):
    """Open the dashboard; every book card rendered means its widgets are live and take clicks."""
    page.goto(url)
    expect(page.locator(".wb-book-card")).to_have_count(len(load_catalog()), timeout=60_000)


def add_to_cart(page, book_id, quantity=1):
    card = page.locator(".wb-book-card", has=page.locator(f'[data-book-id="{book_id}"]'))
    card.locator(".wb-quantity select").select_option(str(quantity))
    card.locator(".wb-add-to-cart").click()


def open_checkout(page):
    """Pay: the order's checkout appears in the page's frame; returns the frame and the order id."""
    page.locator(".wb-pay").click()
    link = page.locator(".wb-checkout-link a")
    expect(link).to_have_attribute("href", re.compile(r"/checkout/ord_\w+$"))
    return page.frame_locator("iframe.wb-frame"), link.get_attribute("href").rsplit("/", 1)[1]
