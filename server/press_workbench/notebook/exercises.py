"""Exercises a learner can check, and solutions that stay folded until opened.

``check = wb.exercises("01")`` gives a lesson's checker; ``check(1, code=…,
decline_code=…)`` says right or not yet for each answer, with a hint for the wrong
ones and, once all are right, why.  The right answers are not written down here:
each exercise finds them just before comparing, the way the lesson taught, against
the same Stripe (the sandbox or your test account), so they cannot drift from what
the learner sees.  ``...`` (Python's Ellipsis) marks an answer not given yet.

Notebook 03's exercises are changes to the shop: ``check(1, copy=exercise_1)`` runs a
reference test against a copy of the learner's scratch copy (theirs stays as it is).

Solutions are code cells tagged ``solution`` and folded (``jupyter.source_hidden``,
``outputs_hidden``).  JupyterLab sends a cell's metadata with each run, so the
guard installed here (``install_solution_guard``) can tell a folded solution: Run
All shows a note in its place instead of running it over the learner's attempt.
Opened (its code shown), it runs.  Unattended runs (nbval, ``WORKBENCH_AUTOPAY=1``)
run every solution, so CI checks them.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import stripe

from .display import Card, CardView
from .errors import WorkbenchError
from .network import LosesResponses
from .shop_api import ShopAPI
from .shopper import unattended

SOLUTION_TAG = "solution"
RETURN_URL = "https://example.com/checkout/complete"  # lesson 01's: a test card that never redirects


@dataclass(frozen=True)
class Exercise:
    """One question: the answers it wants (each with a hint), how to find them, and why they are so."""

    title: str
    hints: dict  # answer name → hint shown while it is wrong, in the order the question asks
    solve: Callable  # workbench → {answer name: right value}
    why: str

    def verdict(self, workbench, number, answers):
        right = self.solve(workbench)
        marks = {name: _mark(answers.get(name, ...), right[name]) for name in self.hints}
        return Verdict(number, self, answers, marks)


@dataclass(frozen=True)
class BuildExercise:
    """A change to the shop, checked by a reference test run against a copy of the learner's scratch copy."""

    title: str
    test: tuple  # (path, text) of the reference test
    hint: str
    why: str

    @property
    def hints(self):
        return {"copy": "the scratch copy you changed (e.g. `exercise_1`)."}

    def verdict(self, workbench, number, answers):
        copy = answers.get("copy", ...)
        if copy is ...:
            return BuildVerdict(number, self, None)
        trial = copy.copy()
        try:
            trial.write(*self.test)
            return BuildVerdict(number, self, trial.pytest(self.test[0]))
        finally:
            trial.close()


@dataclass(repr=False)
class BuildVerdict(CardView):
    """The reference test's result on the learner's change: passed (and why), or its failures and a hint."""

    number: int
    exercise: BuildExercise
    run: object  # build.TestRun, or None when no copy was given

    @property
    def right(self):
        return self.run is not None and self.run.passed

    def card(self):
        title = f"Exercise {self.number}: {self.exercise.title}"
        if self.run is None:
            return Card(
                title, "not yet", [("copy", f"… not given yet. Hint: {self.exercise.hints['copy']}")], tone="warn"
            )
        rows = [("reference test", f"{self.exercise.test[0]}: {self.run.summary}")]
        if self.right:
            return Card(title, "right", rows, tone="ok", note=f"Why: {self.exercise.why}")
        rows += [("failed", f"{test.rpartition('::')[2]}: {reason}") for test, reason in self.run.failures()]
        rows.append(("hint", self.exercise.hint))
        return Card(title, "not yet", rows, tone="warn")


class Exercises:
    """One lesson's checker: ``check(number, **answers)`` → a ``Verdict``."""

    def __init__(self, workbench, lesson):
        if lesson not in LESSONS:
            raise WorkbenchError(f"No exercises for lesson {lesson!r}; there are {', '.join(LESSONS)}.")
        self.workbench, self.lesson, self.exercises = workbench, lesson, LESSONS[lesson]

    def __call__(self, number, **answers):
        if not 1 <= number <= len(self.exercises):
            raise WorkbenchError(f"Lesson {self.lesson} has exercises 1 to {len(self.exercises)}.")
        exercise = self.exercises[number - 1]
        unknown = set(answers) - set(exercise.hints)
        if unknown or not answers:
            raise WorkbenchError(f"Exercise {number} takes {', '.join(exercise.hints)}; got {', '.join(answers)}.")
        return exercise.verdict(self.workbench, number, answers)

    def reference_test(self, number):
        """``(path, text)`` of a build exercise's reference test, for its solution to write."""
        return self.exercises[number - 1].test


def _mark(given, right):
    """ "right", "wrong" or "not answered" (``...``); texts compare without case or outer spaces, lists as sets."""
    if given is ...:
        return "not answered"
    return "right" if _normal(given) == _normal(right) else "wrong"


def _normal(value):
    """Texts without case or outer spaces ("400" and 400, "false" and False alike), lists as sets."""
    if isinstance(value, str):
        text = value.strip().casefold()
        return {"true": True, "false": False}.get(text, int(text) if text.lstrip("-").isdigit() else text)
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(_normal(item) for item in value)
    return value


def _shown(value):
    """An answer as the learner wrote it; a set in sorted order (a set's own order changes from run to run)."""
    return repr(sorted(value) if isinstance(value, set | frozenset) else value)


@dataclass(repr=False)
class Verdict(CardView):
    """What ``check`` says: each answer marked, a hint where it is not right yet, and why once all are."""

    number: int
    exercise: Exercise
    answers: dict
    marks: dict

    @property
    def right(self):
        return all(mark == "right" for mark in self.marks.values())

    def card(self):
        rows = []
        for name, mark in self.marks.items():
            given = _shown(self.answers.get(name))
            if mark == "right":
                rows.append((name, f"✓ {given}"))
            elif mark == "wrong":
                rows.append((name, f"✗ not {given}. Hint: {self.exercise.hints[name]}"))
            else:
                rows.append((name, f"… not answered yet. Hint: {self.exercise.hints[name]}"))
        badge = "right" if self.right else "not yet"
        note = f"Why: {self.exercise.why}" if self.right else ""
        return Card(
            f"Exercise {self.number}: {self.exercise.title}",
            badge,
            rows,
            tone="ok" if self.right else "warn",
            note=note,
        )


# -- solution cells ---------------------------------------------------------------------------------
def install_solution_guard():
    """In IPython under JupyterLab: a folded solution cell shows a note instead of running (module docstring)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and _guard not in shell.input_transformers_post:
        shell.input_transformers_post.append(_guard)


def _guard(lines):
    """An IPython input transformer: the cell's code, or a note if it is a solution still folded."""
    if unattended() or not _folded_solution(_cell_metadata()):
        return lines
    return ["from press_workbench.notebook.exercises import FOLDED_SOLUTION\n", "FOLDED_SOLUTION\n"]


def _cell_metadata():
    """The running cell's metadata, which JupyterLab sends with each execute request ({} from other clients)."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    parent = kernel.get_parent("shell") if kernel is not None else None
    return (parent or {}).get("metadata") or {}


def _folded_solution(metadata):
    return SOLUTION_TAG in (metadata.get("tags") or []) and bool((metadata.get("jupyter") or {}).get("source_hidden"))


FOLDED_SOLUTION = Card(
    "Solution not run",
    "folded",
    [("why", "It is folded, so Run All left it alone. Open it (click the bar on its left) and run it to see it work.")],
    tone="info",
)


# -- lesson 01: PaymentIntents, step by step ------------------------------------------------------------------
def _confirmed(workbench, payment_method, **params):
    """Create and confirm a $23.00 PaymentIntent with a test payment method (lesson 01's ``pay``)."""
    base = {"amount": 2300, "currency": "usd", "payment_method": payment_method, "confirm": True}
    return workbench.stripe.v1.payment_intents.create(params={**base, "return_url": RETURN_URL, **params})


def _lost_card(workbench):
    try:
        _confirmed(workbench, "pm_card_visa_chargeDeclinedLostCard")
    except stripe.CardError as error:
        return {"code": error.code, "decline_code": error.error.decline_code, "shopper_sees": error.user_message}
    raise WorkbenchError("pm_card_visa_chargeDeclinedLostCard was not declined.")


def _failed_challenge(workbench):
    pi = workbench.authenticate(_confirmed(workbench, "pm_card_threeDSecure2Required"), result="fail")
    return {"status": pi.status, "error_code": pi.last_payment_error.code}


def _capture_too_much(workbench):
    held = _confirmed(workbench, "pm_card_visa", capture_method="manual")
    try:
        workbench.stripe.v1.payment_intents.capture(held.id, params={"amount_to_capture": held.amount + 100})
        raise WorkbenchError("Stripe captured more than was authorised.")
    except stripe.InvalidRequestError as error:
        code = error.code
    released = workbench.stripe.v1.payment_intents.cancel(held.id)
    return {"error_code": code, "status": released.status, "amount_capturable": released.amount_capturable}


def _event_types(workbench, pi):
    return {event.type for event in workbench.events(pi)}


def _manual_capture_events(workbench):
    automatic = _confirmed(workbench, "pm_card_visa")
    manual = _confirmed(workbench, "pm_card_visa", capture_method="manual")
    manual = workbench.stripe.v1.payment_intents.capture(manual.id)
    return {"events": sorted(_event_types(workbench, manual) - _event_types(workbench, automatic))}


def _lost_response(workbench):
    """How many PaymentIntents a lost answer leaves: retried by hand without a key, and by stripe-python with one."""
    counts = {}
    for answer, retries in (("without_key", None), ("with_key", 2)):
        marker = {"exercise": f"lost-response-{uuid.uuid4()}"}
        client = workbench.client(max_network_retries=retries, http_client=LosesResponses(lose=1))
        params = {"amount": 2300, "currency": "usd", "metadata": marker}
        try:
            client.v1.payment_intents.create(params=params)
        except stripe.APIConnectionError:
            workbench.client().v1.payment_intents.create(params=params)  # retried by hand: a new request
        listed = workbench.stripe.v1.payment_intents.list(params={"limit": 10}).data
        counts[answer] = sum(1 for pi in listed if pi.metadata.to_dict() == marker)
    return counts


LESSON_01 = [
    Exercise(
        "a lost card",
        {
            "code": "the error's `code`: what kind of failure it is.",
            "decline_code": "`error.error.decline_code`: the bank's reason.",
            "shopper_sees": "`user_message`, word for word: what your checkout shows.",
        },
        _lost_card,
        "the bank says the card was reported lost, yet the shopper is told only that it was declined. Show "
        "`user_message` as it is and keep `decline_code` for your logs: telling a thief the card is flagged helps "
        "the thief.",
    ),
    Exercise(
        "a failed 3D Secure challenge",
        {
            "status": 'the PaymentIntent\'s `status` after `wb.authenticate(…, result="fail")`.',
            "error_code": "`last_payment_error.code` of that PaymentIntent.",
        },
        _failed_challenge,
        "a failed challenge is not the end: the PaymentIntent goes back to `requires_payment_method`, like after a "
        "decline, and `payment_intent_authentication_failure` tells you the shopper (or their bank) did not "
        "authenticate. The path draws the detour through `requires_action`.",
    ),
    Exercise(
        "capture too much, then cancel",
        {
            "error_code": "the `code` of the error capturing more than `amount_capturable`.",
            "status": "the `status` after canceling the `requires_capture` PaymentIntent.",
            "amount_capturable": "`amount_capturable` after the cancel, in cents.",
        },
        _capture_too_much,
        "you can capture at most what the bank authorised (`amount_too_large` otherwise). Canceling an "
        "authorisation releases the hold: nothing was captured, so nothing is capturable any more and the "
        "customer's bank frees the money.",
    ),
    Exercise(
        "what a manual capture adds",
        {"events": "the event types a manual capture's PaymentIntent has that an automatic one's lacks (a list)."},
        _manual_capture_events,
        "`payment_intent.amount_capturable_updated` comes when the card is authorised (your cue to capture within "
        "7 days) and `charge.captured` when you capture; `payment_intent.succeeded` only then.",
    ),
    Exercise(
        "a lost answer",
        {
            "without_key": "how many PaymentIntents exist after the lost create was sent again by hand (no key).",
            "with_key": "how many after stripe-python retried it itself (`max_network_retries=2`).",
        },
        _lost_response,
        "the first request reached Stripe even though its answer was lost, so sending it again as a new request "
        "makes a second PaymentIntent: a customer could pay twice. stripe-python's own retries resend the same "
        "`Idempotency-Key`, and Stripe answers with the first result (`Idempotent-Replayed: true`).",
    ),
]


# -- lesson 02: the checkout round trip -------------------------------------------------------------------------
def _insufficient_funds(workbench):
    order = workbench.create_order({"stubborn-attachments": 1})
    try:  # as the checkout's Pay does, from the server: a decline never reaches the return page
        workbench.stripe.v1.payment_intents.confirm(
            order.payment_intent,
            params={"payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds", "return_url": RETURN_URL},
        )
    except stripe.CardError:
        pass
    heard, error = _failure_heard(order)
    return {**heard, "decline_code": error.decline_code}


def _failure_heard(order):
    """Once the shop has the order failed: its status and who told it, and the PaymentIntent's last error."""
    failed = order.wait(until="failed")
    heard = {"order_status": failed.order.status, "told_by": failed.order.history[-1]["source"]}
    return heard, failed.payment_intent.last_payment_error


def _forged_and_replayed(workbench):
    order = workbench.create_order({"stubborn-attachments": 1})
    workbench.stripe.v1.payment_intents.confirm(
        order.payment_intent, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    paid = order.wait(until="paid")
    event = next(e for e in paid.events if e.type == "payment_intent.succeeded")
    delivery = workbench.webhook.sign(workbench.stripe.v1.events.retrieve(event.id))
    history = len(order.refresh().history)
    forged = workbench.webhook.post(delivery.forged(amount_received=1))
    replayed = workbench.webhook.post(delivery)
    return {
        "forged": forged.status,
        "replayed": replayed.status,
        "order_changed": len(order.refresh().history) != history,
    }


LESSON_02 = [
    Exercise(
        "insufficient funds in the checkout",
        {
            "order_status": 'the order\'s `status` once the shop has heard (run `practice.wait(until="failed")`).',
            "told_by": "who told the shop: the `by` of the last row of its status history.",
            "decline_code": "the PaymentIntent's `last_payment_error.decline_code`.",
        },
        _insufficient_funds,
        "a declined card never leaves the checkout, so no return page loads: only the webhook "
        "(`payment_intent.payment_failed`) tells the shop, and the order is `failed` until another card pays it. "
        '`insufficient_funds` is the bank\'s reason; the shopper saw "Your card has insufficient funds."',
    ),
    Exercise(
        "a forged event and a replayed one",
        {
            "forged": "the HTTP status the shop answers to the forged delivery.",
            "replayed": "the HTTP status it answers to the replayed one.",
            "order_changed": "did either change the order's status history? (True or False)",
        },
        _forged_and_replayed,
        "a body changed after signing no longer matches its signature, so the shop refuses it (400) before reading "
        "it: Stripe would retry such an answer, and a forger gets nothing. A real event sent again is acknowledged "
        "(200, `duplicate: true`) but acted on once: the shop records each event id with its effect. Stripe "
        "retries deliveries and can send an event twice, so once-only is not optional.",
    ),
]

# -- lesson 03: extend the shop ---------------------------------------------------------------------------------
CANCEL_REFUSED_TEST = '''\
"""Only an unpaid order can be canceled: a paid one is refused before Stripe is asked."""

from tests.shop_helpers import new_order, pay


def test_a_paid_order_is_not_canceled(client, stripe_client, operator):
    order = new_order(client, ("an-elegant-puzzle", 1))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")  # the return page settles it: paid
    response = client.post(f"/api/orders/{order['id']}/cancel", headers=operator)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "order_state"
    assert stripe_client.v1.payment_intents.retrieve(order["payment_intent"]).status == "succeeded"
'''
CANCEL_DESCRIBED_TEST = '''\
"""The cancel route is in the shop's OpenAPI description, where client generators look for it."""


def test_the_cancel_route_is_described(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert paths["/api/orders/{order_id}/cancel"]["post"]["operationId"] == "cancelOrder"
'''

LESSON_03 = [
    BuildExercise(
        "only an unpaid order can be canceled",
        ("tests/test_cancel_refused.py", CANCEL_REFUSED_TEST),
        "make `Shop.cancel` raise `OrderError` (409, `order_state`) unless the order is `awaiting_payment` or "
        "`failed`, before it calls Stripe, as `Shop.refund` does for orders that are not paid.",
        "the shop knows the order is paid, so it answers 409 itself instead of asking Stripe and passing on "
        "Stripe's refusal as a 502 (a failure of its payment provider, which it was not). Checking first also "
        "means a paid order's PaymentIntent is never touched.",
    ),
    BuildExercise(
        "describe the route",
        ("tests/test_cancel_described.py", CANCEL_DESCRIBED_TEST),
        "add `/api/orders/{order_id}/cancel` with a `post` operation whose operationId is `cancelOrder` to the "
        "paths in server/press_workbench/shop/openapi.py, described as the refund route is.",
        "`GET /openapi.json` is what client generators and API tools read: a route missing from it does not exist "
        "for them. A test on the description keeps code and description together.",
    ),
]


# -- lesson 05: customers who come back ------------------------------------------------------------------------
def _charged_off_session(workbench, customer, payment_method):
    """Lesson 05's ``charge_off_session``: a $23.00 payment with a saved card while its customer is away."""
    params = {"customer": customer, "off_session": True}
    return _confirmed(workbench, payment_method, **params)


def _saved_for(workbench, test_payment_method):
    """A new Customer with one of Stripe's test cards attached (a ``pm_card_*`` id becomes a ``pm_…`` of its own)."""
    customer = workbench.stripe.v1.customers.create(params={"description": "lesson 05 exercise"}).id
    card = workbench.stripe.v1.payment_methods.attach(test_payment_method, params={"customer": customer})
    return customer, card.id


def _off_session_failure(workbench, test_payment_method):
    """The ``CardError`` of an off-session charge of ``test_payment_method``; raises if it was charged."""
    try:
        _charged_off_session(workbench, *_saved_for(workbench, test_payment_method))
    except stripe.CardError as error:
        return error
    raise WorkbenchError(f"{test_payment_method} was charged off-session.")


def _insufficient_funds_attached(workbench):
    customer = workbench.stripe.v1.customers.create(params={"description": "lesson 05 exercise"}).id
    try:
        workbench.stripe.v1.payment_methods.attach(
            "pm_card_visa_chargeDeclinedInsufficientFunds", params={"customer": customer}
        )
    except stripe.CardError as error:
        saved = workbench.stripe.v1.customers.payment_methods.list(customer, params={"type": "card"}).data
        return {"code": error.code, "decline_code": error.error.decline_code, "saved": bool(saved)}
    raise WorkbenchError("pm_card_visa_chargeDeclinedInsufficientFunds was attached.")


def _set_up_or_not(workbench):
    not_set_up = _off_session_failure(workbench, "pm_card_authenticationRequiredOnSetup")
    customer, card = _saved_for(workbench, "pm_card_authenticationRequiredSetupForOffSession")
    return {"not_set_up": not_set_up.code, "set_up_already": _charged_off_session(workbench, customer, card).status}


def _stranger_removes(workbench):
    saved = workbench.saved_cards()
    if not saved:
        raise WorkbenchError("This kernel's shopper has no saved card: save one first (section 1), then check again.")
    answer = ShopAPI(workbench.url).request("DELETE", f"/api/saved-cards/{saved[0]['id']}")
    still = saved[0]["id"] in {card["id"] for card in workbench.saved_cards()}
    return {"status": answer.status, "still_saved": still}


def _declined_setup(workbench):
    customer = workbench.stripe.v1.customers.create(params={"description": "lesson 05 exercise"}).id
    setup = workbench.stripe.v1.setup_intents.create(params={"customer": customer, "payment_method_types": ["card"]})
    try:
        workbench.stripe.v1.setup_intents.confirm(setup.id, params={"payment_method": "pm_card_visa_chargeDeclined"})
    except stripe.CardError:
        pass
    setup = workbench.stripe.v1.setup_intents.retrieve(setup.id)
    return {"status": setup.status, "error_code": setup.last_setup_error.code}


LESSON_05 = [
    Exercise(
        "a card that cannot be saved",
        {
            "code": "the error's `code` when you attach `pm_card_visa_chargeDeclinedInsufficientFunds`.",
            "decline_code": "`error.error.decline_code`: the bank's reason.",
            "saved": "is the card in the customer's list afterwards? (True or False)",
        },
        _insufficient_funds_attached,
        "Stripe checks a card with its bank when it is saved, so a card that would be declined is refused at once "
        "and never reaches the customer's list: `pm_card_chargeCustomerFail` (section 5) is the card made to pass "
        "that check and fail later. Show `user_message` to the customer saving the card, as for any decline.",
    ),
    Exercise(
        "set up, or not",
        {
            "not_set_up": "the error `code` for `pm_card_authenticationRequiredOnSetup` attached and charged "
            "off-session.",
            "set_up_already": "the `status` after charging `pm_card_authenticationRequiredSetupForOffSession` "
            "off-session.",
        },
        _set_up_or_not,
        "the first card's bank wants one authentication when the card is saved: attached without one, its "
        "off-session payments fail with `authentication_required`, while a SetupIntent (section 6) asks once and "
        "then they go through. The second behaves as a card already set up that way. This is why you save cards "
        "with a SetupIntent, or while paying with `setup_future_usage`, rather than attaching them directly.",
    ),
    Exercise(
        "another shopper removes your card",
        {
            "status": "the HTTP status the shop answers `stranger`'s `DELETE /api/saved-cards/<your card>`.",
            "still_saved": "is the card still in `wb.saved_cards()`? (True or False)",
        },
        _stranger_removes,
        "the shop finds cards only through the session's own Customer, and answers 404 for any card that is not "
        "this session's, whether it exists or not, so guessing ids tells a stranger nothing. Nothing else (no "
        "email, no order number) reaches a shopper's cards.",
    ),
    Exercise(
        "a declined setup",
        {
            "status": "the SetupIntent's `status` after confirming it with `pm_card_visa_chargeDeclined`.",
            "error_code": "its `last_setup_error.code`.",
        },
        _declined_setup,
        "a SetupIntent fails like a PaymentIntent: a 402 `CardError`, the reason kept in `last_setup_error`, and "
        "the SetupIntent back in `requires_payment_method` for another card. Nothing was saved: the declined card "
        "is not attached to the customer.",
    ),
]


# -- lesson 06: bank payments ------------------------------------------------------------------------------------
SEPA_FAILS = "AT861904300235473202"  # Stripe's test IBAN whose debit the bank refuses
SERVER_MANDATE = {
    "customer_acceptance": {"type": "online", "online": {"ip_address": "203.0.113.7", "user_agent": "lesson"}}
}


def _failed_debit(workbench):
    order = workbench.create_order({"high-growth-handbook": 1})
    workbench.stripe.v1.payment_intents.confirm(  # what the SEPA Debit tab sends, from the server
        order.payment_intent,
        params={
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": SEPA_FAILS},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny.rosen@example.com"},
            },
            "mandate_data": SERVER_MANDATE,
            "return_url": RETURN_URL,
        },
    )
    heard, error = _failure_heard(order)
    return {**heard, "error_code": error.code}


def _failed_at_bank(workbench):
    order = workbench.create_order({"revolt-of-the-public": 1})
    waiting = workbench.stripe.v1.payment_intents.confirm(
        order.payment_intent, params={"payment_method_data": {"type": "ideal"}, "return_url": RETURN_URL}
    )
    failed_pi = workbench.authenticate(waiting, result="fail")  # the bank's test page: Fail test payment
    return {
        "payment_intent_status": failed_pi.status,
        "error_code": failed_pi.last_payment_error.code,
        "order_status": order.wait(until="failed").order.status,
    }


LESSON_06 = [
    Exercise(
        "a debit the bank refuses",
        {
            "order_status": 'the order\'s `status` once the shop has heard (`practice.wait(until="failed")`).',
            "told_by": "who told the shop: the `by` of the last row of its status history.",
            "error_code": "the PaymentIntent's `last_payment_error.code`.",
        },
        _failed_debit,
        "Stripe accepted the debit (`processing`) and the bank refused it later, when the shopper had long left the "
        "checkout: only the webhook (`payment_intent.payment_failed`) could tell the shop. The PaymentIntent is back "
        "in `requires_payment_method`, so the same order can be paid again.",
    ),
    Exercise(
        "iDEAL, failed at the bank",
        {
            "payment_intent_status": "the PaymentIntent's `status` after Fail test payment.",
            "error_code": "its `last_payment_error.code`.",
            "order_status": "the order's `status` once the shop has heard.",
        },
        _failed_at_bank,
        "a redirect method fails like a failed 3D Secure challenge: the shopper did not authorise at their bank, "
        "the PaymentIntent goes back to `requires_payment_method` with `payment_intent_authentication_failure`, and "
        "the return page sends the shopper back to the checkout to try again, while the order is `failed`.",
    ),
]

LESSONS = {"01": LESSON_01, "02": LESSON_02, "03": LESSON_03, "05": LESSON_05, "06": LESSON_06}
