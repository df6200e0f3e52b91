"""The ceiling: stripe-python's own rate against an endpoint that does nothing.

``python -m bench.ceiling PORT`` serves canned PaymentIntents and Customers (built once, at
start, by the sandbox's own object builders, so they are the size of real answers; only the
id changes, so a shop can use it as its Stripe when profiled) over
keep-alive HTTP/1.1 from one asyncio loop: no parsing beyond the headers, no state,
no storage.  What stripe-python achieves against it is the most any server can give a
stripe-python client on this machine; the sandbox and the shop are measured as
fractions of it.
"""

import asyncio
import itertools
import json
import sys

from press_workbench.sandbox.resources.customers import customer
from press_workbench.sandbox.resources.payment_intents import payment_intent


def canned(status):
    pi = payment_intent(
        amount=2300,
        currency="usd",
        automatic=None,
        payment_method_types=["card"],
        capture_method="automatic",
        confirmation_method="automatic",
        description=None,
        receipt_email=None,
        metadata={},
    )
    pi["status"] = status
    body = json.dumps(pi).replace(pi["id"], TEMPLATE_ID).encode()  # the id is in the client secret too
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def canned_customer():
    body = json.dumps(customer(CUSTOMER_TEMPLATE_ID)).encode()
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


TEMPLATE_ID = "pi_" + "0" * 24  # replaced by a new id of the same length in each answer: a shop stores it once
CUSTOMER_TEMPLATE_ID = "cus_" + "0" * 14
NUMBERS = itertools.count(1)
ANSWERS = {
    "create": canned("requires_payment_method"),
    "create_with_card": canned("requires_confirmation"),
    "confirm": canned("succeeded"),
    "customer": canned_customer(),
}


def answer(request_line, body, number):
    """The canned answer a stripe-python create, create with a card, confirm (or create with ``confirm=true``, an
    off-session payment) or customer create expects, with id number ``number``."""
    path = request_line.split(b" ")[1]
    if path.startswith(b"/v1/customers"):
        return ANSWERS["customer"].replace(CUSTOMER_TEMPLATE_ID.encode(), b"cus_%014d" % number)
    if path.endswith(b"/confirm") or b"confirm=true" in body:
        canned_answer = ANSWERS["confirm"]
    else:
        canned_answer = ANSWERS["create_with_card" if b"payment_method=" in body else "create"]
    return canned_answer.replace(TEMPLATE_ID.encode(), b"pi_%024d" % number)


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            writer.write(answer(head, body, next(NUMBERS)))
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def serve(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print(f"ceiling endpoint on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
