"""The OpenAPI 3 description of the shop's JSON API, served at ``/openapi.json``."""

ERROR = {"$ref": "#/components/responses/Error"}


def _json(schema_ref, description):
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


SPEC = {
    "openapi": "3.0.3",
    "info": {
        "title": "Press Workbench shop API",
        "version": "1.0.0",
        "description": "Books, orders priced on the server, and their Stripe PaymentIntents. Money is in minor "
        "units (cents) with a lowercase ISO currency.",
    },
    "paths": {
        "/api/health": {"get": {"summary": "Liveness and mode", "operationId": "health",
                                "responses": {"200": _json("#/components/schemas/Health", "The shop is up")}}},
        "/api/books": {"get": {"summary": "The catalog", "operationId": "listBooks",
                               "responses": {"200": _json("#/components/schemas/BookList", "All books")}}},
        "/api/orders": {"post": {
            "summary": "Create an order and its PaymentIntent",
            "operationId": "createOrder",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": 255},
                            "description": "The same key again returns the same order (no second PaymentIntent)."}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
            "responses": {"201": _json("#/components/schemas/CreatedOrder", "The order, awaiting payment"),
                          "400": ERROR, "413": ERROR, "502": ERROR},
        }},
        "/api/quote": {"post": {
            "summary": "Price items as an order would be priced, without creating one",
            "description": "Same body and validation as createOrder; nothing is stored and no PaymentIntent is "
                           "created. The dashboard's cart shows this total.",
            "operationId": "quoteOrder",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
            "responses": {"200": _json("#/components/schemas/Quote", "The lines and total, priced from the catalog"),
                          "400": ERROR, "413": ERROR},
        }},
        "/api/orders/{order_id}": {"get": {
            "summary": "An order and its status",
            "operationId": "getOrder",
            "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("#/components/schemas/Order", "The order"), "404": ERROR},
        }},
        "/api/orders/{order_id}/refund": {"post": {
            "summary": "Refund a paid order in full",
            "operationId": "refundOrder",
            "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("#/components/schemas/Order", "The refunded order"), "404": ERROR,
                          "409": ERROR},
        }},
        "/webhook": {"post": {
            "summary": "Stripe events (signature verified on the raw body)",
            "operationId": "receiveWebhook",
            "parameters": [{"name": "Stripe-Signature", "in": "header", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "Received"}, "400": ERROR},
        }},
    },
    "components": {
        "responses": {"Error": _json("#/components/schemas/Error", "An error; nothing was changed")},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "param": {"type": "string"}},
            }}},
            "Health": {"type": "object", "required": ["ok", "mode"], "properties": {
                "ok": {"type": "boolean"}, "mode": {"type": "string", "enum": ["sandbox", "stripe"]},
                "sandbox_url": {"type": "string"}}},
            "Book": {"type": "object", "required": ["id", "title", "author", "description", "price", "currency",
                                                    "cover_url"], "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "author": {"type": "string"},
                "description": {"type": "string"}, "price": {"type": "integer", "minimum": 0},
                "currency": {"type": "string"}, "cover_url": {"type": "string"}}},
            "BookList": {"type": "object", "required": ["books"], "properties": {
                "books": {"type": "array", "items": {"$ref": "#/components/schemas/Book"}}}},
            "OrderRequest": {"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["book_id"],
                    "properties": {"book_id": {"type": "string"},
                                   "quantity": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1}}}},
                "email": {"type": "string", "format": "email"}}},
            "OrderLine": {"type": "object", "properties": {
                "book_id": {"type": "string"}, "title": {"type": "string"}, "unit_price": {"type": "integer"},
                "quantity": {"type": "integer"}, "amount": {"type": "integer"}}},
            "Quote": {"type": "object", "required": ["amount", "currency", "items"], "properties": {
                "amount": {"type": "integer"}, "currency": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}}}},
            "Order": {"type": "object", "required": ["id", "status", "amount", "amount_received", "currency", "items",
                                                     "payment_intent", "created", "updated"], "properties": {
                "id": {"type": "string", "pattern": "^ord_"},
                "status": {"type": "string", "enum": ["awaiting_payment", "paid", "failed", "canceled", "refunded"]},
                "amount": {"type": "integer"}, "amount_received": {"type": "integer"},
                "currency": {"type": "string"}, "email": {"type": "string", "nullable": True},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
                "payment_intent": {"type": "string", "nullable": True},
                "created": {"type": "integer"}, "updated": {"type": "integer"},
                "history": {"type": "array", "items": {"type": "object", "properties": {
                    "status": {"type": "string"}, "source": {"type": "string"}, "detail": {"type": "string"},
                    "created": {"type": "integer"}}}}}},
            "CreatedOrder": {"allOf": [{"$ref": "#/components/schemas/Order"}, {"type": "object", "properties": {
                "client_secret": {"type": "string"}, "checkout_url": {"type": "string"}}}]},
        },
    },
}  # fmt: skip
