"""The ceiling: stripe-python's own rate against an endpoint that does nothing.

``python -m bench.ceiling PORT`` serves canned PaymentIntents (built once, at start, by
the sandbox's own object builder, so they are the size of real answers) over
keep-alive HTTP/1.1 from one asyncio loop: no parsing beyond the headers, no state,
no storage.  What stripe-python achieves against it is the most any server can give a
stripe-python client on this machine; the sandbox and the shop are measured as
fractions of it.
"""

import asyncio
import json
import sys

from server.sandbox.resources.payment_intents import payment_intent


def canned(status):
    pi = payment_intent(amount=2300, currency="usd", automatic=None, payment_method_types=["card"],
                        capture_method="automatic", confirmation_method="automatic", description=None,
                        receipt_email=None, metadata={})  # fmt: skip
    pi["status"] = status
    body = json.dumps(pi, indent=2).encode()  # indented, as Stripe and the sandbox answer
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nRequest-Id: req_ceiling\r\n\r\n"
    return head.encode() + body


ANSWERS = {"create": canned("requires_payment_method"), "create_with_card": canned("requires_confirmation"),
           "confirm": canned("succeeded")}  # fmt: skip


def answer(request_line, body):
    """The canned answer a stripe-python create, create with a card, or confirm expects."""
    if request_line.split(b" ")[1].endswith(b"/confirm"):
        return ANSWERS["confirm"]
    return ANSWERS["create_with_card" if b"payment_method=" in body else "create"]


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            writer.write(answer(head, body))
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def serve(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print(f"ceiling endpoint on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
