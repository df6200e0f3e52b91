"""What a shopper does in the browser, step by step, shared by the browser tests."""

from playwright.sync_api import expect

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
    postal_input = frame.locator('[autocomplete="postal-code"]')
    if postal_input.is_visible():
        postal_input.fill(postal)


def pay(page, number, **card):
    fill_card(page, number, **card)
    button = page.get_by_test_id("pay-button")
    expect(button).to_be_enabled()
    button.click()


def authenticate(page, result="complete"):
    """Press Complete or Fail in the 3D Secure modal Stripe.js opens over the page."""
    page.frame_locator(THREE_D_SECURE_FRAME).get_by_test_id(f"3ds-{result}").click()
