"""The OpenAPI 3 description of the shop's JSON API, served at ``/openapi.json``.

``tests/test_api_fuzz.py`` fuzzes the API from this description (schemathesis) and
checks every answer against it, so it must say exactly what the shop does.
"""

from .catalog import load_catalog
from .validation import MAX_EMAIL, MAX_IDEMPOTENCY_KEY, MAX_LINES, MAX_QUANTITY

ERROR = {"$ref": "#/components/responses/Error"}
ORDER_ID = {"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}
PAYMENT_METHOD = {"name": "payment_method", "in": "path", "required": True, "schema": {"type": "string"}}


def _json(schema_ref, description):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Press Workbench shop API",
        "version": "1.0.0",
        "description": "Books, orders priced on the server, and their Stripe PaymentIntents. Money is in minor "
        'units (cents) with a lowercase ISO currency. Errors are `{"error": {"code", "message", '
        '"param"}}`. A state-changing request that a browser marks as coming from another site (`Sec-Fetch-Site`, '
        "or an `Origin` that is not the shop's) is refused with 403 `cross_origin_request`. Operator routes also need "
        "the operator token as a bearer: the shop writes it to `<data dir>/operator-token` (mode 0600) on first "
        "start, or takes it from `WORKBENCH_OPERATOR_TOKEN`; the notebook helper sends it.",
    },
    "paths": {
        "/api/health": {
            "get": {
                "summary": "Liveness and mode",
                "operationId": "health",
                "responses": {"200": _json("#/components/schemas/Health", "The shop is up")},
            }
        },
        "/api/books": {
            "get": {
                "summary": "The catalog",
                "operationId": "listBooks",
                "responses": {"200": _json("#/components/schemas/BookList", "All books")},
            }
        },
        "/api/orders": {
            "post": {
                "summary": "Create an order and its PaymentIntent",
                "operationId": "createOrder",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
                        "description": "As at Stripe: the same key with the same body (the same JSON value) "
                        "returns the same order, with `Idempotent-Replayed: true`, and no second "
                        "PaymentIntent; the same key with a different body is a 400 "
                        "`idempotency_error`. An empty key or one over 255 characters is a 400 "
                        "`invalid_idempotency_key` (leave the header out instead).",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRequest"}}},
                },
                "responses": {
                    "201": {
                        **_json("#/components/schemas/CreatedOrder", "The order, awaiting payment"),
                        "headers": {
                            "Idempotent-Replayed": {
                                "description": "`true` when this answers an earlier request with the same key",
                                "schema": {"type": "string", "enum": ["true"]},
                            }
                        },
                    },
                    "400": ERROR,
                    "403": ERROR,
                    "413": ERROR,
                    "502": ERROR,
                },
            }
        },
        "/api/quote": {
            "post": {
                "summary": "Price items as an order would be priced, without creating one",
                "description": "Same body and validation as createOrder; nothing is stored and no PaymentIntent is "
                "created. The dashboard's cart shows this total.",
                "operationId": "quoteOrder",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderRequest"}}},
                },
                "responses": {
                    "200": _json("#/components/schemas/Quote", "The lines and total, priced from the catalog"),
                    "400": ERROR,
                    "413": ERROR,
                },
            }
        },
        "/api/orders/{order_id}": {
            "get": {
                "summary": "An order and its status",
                "operationId": "getOrder",
                "parameters": [ORDER_ID],
                "responses": {"200": _json("#/components/schemas/Order", "The order"), "404": ERROR},
            }
        },
        "/api/orders/{order_id}/refund": {
            "post": {
                "summary": "Refund a paid order in full (operator only)",
                "operationId": "refundOrder",
                "security": [{"operatorToken": []}],
                "parameters": [ORDER_ID],
                "responses": {
                    "200": _json("#/components/schemas/Order", "The refunded order"),
                    "401": ERROR,
                    "403": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    "502": ERROR,
                },
            }
        },
        "/api/saved-cards": {
            "get": {
                "summary": "This browser session's saved cards",
                "description": "Only the cards saved by the session whose cookie comes with the request; none (and "
                "no Stripe Customer) before its first save. No other key, email included, reaches them.",
                "operationId": "listSavedCards",
                "responses": {"200": _json("#/components/schemas/SavedCardList", "This session's cards")},
            }
        },
        "/api/saved-cards/{payment_method}": {
            "delete": {
                "summary": "Remove one of this session's saved cards (detach it from the session's Customer)",
                "operationId": "removeSavedCard",
                "parameters": [PAYMENT_METHOD],
                "responses": {
                    "200": _json("#/components/schemas/RemovedCard", "Removed"),
                    "403": ERROR,
                    "404": {
                        **ERROR,
                        "description": "`saved_card_not_found`: not one of this session's cards (the same answer "
                        "whether or not it exists)",
                    },
                    "502": ERROR,
                },
            }
        },
        "/api/orders/{order_id}/save-card": {
            "post": {
                "summary": "Choose, before paying, whether the card that pays this order is saved for next time",
                "description": "`save: true` sets this session's Customer (created on its first save, made again if "
                "it no longer exists) and `payment_method_options[card][setup_future_usage]=on_session` on the "
                "order's PaymentIntent, so Stripe saves a card when it pays the order, and nothing else (a SEPA Debit "
                "or iDEAL payment saves nothing). `save: false` unsets that option.",
                "operationId": "chooseSavingCard",
                "parameters": [ORDER_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SaveCardRequest"}}},
                },
                "responses": {
                    "200": _json("#/components/schemas/SaveCardChoice", "The choice, as the PaymentIntent now has it"),
                    "400": ERROR,
                    "403": ERROR,
                    "404": ERROR,
                    "409": {**ERROR, "description": "`order_state`: the order is paid, canceled or processing"},
                    "413": ERROR,
                    "502": ERROR,
                },
            }
        },
        "/api/orders/{order_id}/pay-with-saved-card": {
            "post": {
                "summary": "Pay the order with one of this session's saved cards",
                "description": "The shop checks that the card is this session's, then confirms the order's "
                "PaymentIntent on the server. `requires_action`: the bank asks for 3D Secure; open "
                "`authenticate_url` in the shopper's browser, where Stripe.js shows the challenge and then the "
                "order's return page.",
                "operationId": "payWithSavedCard",
                "parameters": [ORDER_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/SavedCardPaymentRequest"}}
                    },
                },
                "responses": {
                    "200": _json("#/components/schemas/SavedCardPayment", "Paid, or waiting for 3D Secure"),
                    "400": ERROR,
                    "402": {**ERROR, "description": "The card was declined: Stripe's code and message"},
                    "403": ERROR,
                    "404": {**ERROR, "description": "No such order, or `saved_card_not_found`"},
                    "409": {**ERROR, "description": "`order_state`: the order is paid, canceled or processing"},
                    "413": ERROR,
                    "502": ERROR,
                },
            }
        },
        "/webhook": {
            "post": {
                "summary": "Stripe events (signature verified on the raw body)",
                "operationId": "receiveWebhook",
                "parameters": [
                    {"name": "Stripe-Signature", "in": "header", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
                },
                "responses": {
                    "200": {"description": "Received (also for event types the shop does not handle)"},
                    "400": ERROR,
                    "403": ERROR,
                    "413": ERROR,
                },
            }
        },
    },
    "components": {
        "responses": {"Error": _json("#/components/schemas/Error", "An error; nothing was changed")},
        "securitySchemes": {
            "operatorToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "The token in `<data dir>/operator-token`.",
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "param": {"type": "string"},
                        },
                    }
                },
            },
            "Health": {
                "type": "object",
                "required": ["ok", "mode"],
                "properties": {
                    "ok": {"type": "boolean"},
                    "mode": {"type": "string", "enum": ["sandbox", "stripe"]},
                    "sandbox_url": {"type": "string"},
                },
            },
            "Book": {
                "type": "object",
                "required": ["id", "title", "author", "description", "price", "currency", "cover_url"],
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "author": {"type": "string"},
                    "description": {"type": "string"},
                    "price": {"type": "integer", "minimum": 0},
                    "currency": {"type": "string"},
                    "cover_url": {"type": "string"},
                },
            },
            "BookList": {
                "type": "object",
                "required": ["books"],
                "properties": {"books": {"type": "array", "items": {"$ref": "#/components/schemas/Book"}}},
            },
            "OrderRequest": {
                "type": "object",
                "required": ["items"],
                "properties": {
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_LINES,
                        "description": f"Lines naming the same book are merged; each line and each merged total "
                        f"must be 1 to {MAX_QUANTITY} copies.",
                        "items": {
                            "type": "object",
                            "required": ["book_id"],
                            "properties": {
                                "book_id": {"type": "string", "enum": sorted(load_catalog())},
                                "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY, "default": 1},
                            },
                        },
                    },
                    "email": {
                        "type": "string",
                        "nullable": True,
                        "format": "email",
                        "maxLength": MAX_EMAIL,
                        "description": "Checked with email-validator (no DNS lookup) and stored normalized, "
                        "with an ASCII (IDNA) domain.",
                    },
                },
            },
            "OrderLine": {
                "type": "object",
                "properties": {
                    "book_id": {"type": "string"},
                    "title": {"type": "string"},
                    "unit_price": {"type": "integer"},
                    "quantity": {"type": "integer"},
                    "amount": {"type": "integer"},
                },
            },
            "Quote": {
                "type": "object",
                "required": ["amount", "currency", "items"],
                "properties": {
                    "amount": {"type": "integer"},
                    "currency": {"type": "string"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
                },
            },
            "Order": {
                "type": "object",
                "required": [
                    "id",
                    "status",
                    "amount",
                    "amount_received",
                    "currency",
                    "items",
                    "payment_intent",
                    "created",
                    "updated",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": "^ord_"},
                    "status": {
                        "type": "string",
                        "enum": ["awaiting_payment", "processing", "paid", "failed", "canceled", "refunded"],
                    },
                    "amount": {"type": "integer"},
                    "amount_received": {"type": "integer"},
                    "currency": {"type": "string"},
                    "email": {"type": "string", "nullable": True},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
                    "payment_intent": {"type": "string", "nullable": True},
                    "created": {"type": "integer"},
                    "updated": {"type": "integer"},
                    "history": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "string"},
                                "source": {"type": "string"},
                                "detail": {"type": "string"},
                                "created": {"type": "integer"},
                            },
                        },
                    },
                },
            },
            "Event": {
                "type": "object",
                "required": ["id", "type", "data"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string"},
                    "data": {"type": "object", "required": ["object"], "properties": {"object": {"type": "object"}}},
                },
            },
            "SavedCard": {
                "type": "object",
                "required": ["id", "brand", "last4", "exp_month", "exp_year"],
                "properties": {
                    "id": {"type": "string", "pattern": "^pm_"},
                    "brand": {"type": "string", "description": "Stripe's card brand: `visa`, `mastercard`, …"},
                    "last4": {"type": "string"},
                    "exp_month": {"type": "integer"},
                    "exp_year": {"type": "integer"},
                },
            },
            "SavedCardList": {
                "type": "object",
                "required": ["cards"],
                "properties": {"cards": {"type": "array", "items": {"$ref": "#/components/schemas/SavedCard"}}},
            },
            "RemovedCard": {
                "type": "object",
                "required": ["id", "deleted"],
                "properties": {"id": {"type": "string"}, "deleted": {"type": "boolean", "enum": [True]}},
            },
            "SaveCardRequest": {
                "type": "object",
                "required": ["save"],
                "properties": {"save": {"type": "boolean"}},
            },
            "SaveCardChoice": {
                "type": "object",
                "required": ["order", "save_card", "saved_for"],
                "properties": {
                    "order": {"type": "string"},
                    "save_card": {"type": "boolean"},
                    "saved_for": {
                        "type": "string",
                        "nullable": True,
                        "enum": ["this_session", "another_session", None],
                        "description": "Whose Customer the card will be saved for: this session's, or (a checkout "
                        "link opened elsewhere) the session that started the order.",
                    },
                },
            },
            "SavedCardPaymentRequest": {
                "type": "object",
                "required": ["payment_method"],
                "properties": {"payment_method": {"type": "string", "description": "A card from listSavedCards"}},
            },
            "SavedCardPayment": {
                "type": "object",
                "required": ["status", "order"],
                "properties": {
                    "status": {"type": "string", "description": "The PaymentIntent's: `succeeded`, `requires_action`"},
                    "order": {"$ref": "#/components/schemas/Order"},
                    "authenticate_url": {
                        "type": "string",
                        "description": "With `requires_action`: the page (on the shop) that shows the challenge",
                    },
                },
            },
            "CreatedOrder": {
                "allOf": [
                    {"$ref": "#/components/schemas/Order"},
                    {
                        "type": "object",
                        "properties": {"client_secret": {"type": "string"}, "checkout_url": {"type": "string"}},
                    },
                ]
            },
        },
    },
}
