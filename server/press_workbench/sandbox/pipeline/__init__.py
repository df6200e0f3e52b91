"""What happens to every ``/v1`` request, once, before and after the resource's own code.

``endpoint`` wraps a resource view: ``authentication`` (secret or publishable
key), ``forms`` and ``params`` (Stripe's form encoding, checked parameters),
``idempotency`` (replay or refuse a repeated key), ``expansion`` (``expand[]``),
``versions`` (``Stripe-Version``), and ``errors`` (Stripe's error envelope).
"""
