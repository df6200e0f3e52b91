"""Parameter checks with Stripe's wording.

Secret-key calls get Stripe's strictness (unknown parameters refused, types
checked); publishable-key calls from Stripe.js carry many undocumented fields, so
their unknown keys are dropped, as Stripe does.
"""

from .errors import invalid, missing_param, unknown_param


class Params:
    """The decoded parameters of one request, checked against the names an endpoint knows."""

    def __init__(self, raw, allowed, strict):
        self.raw = raw
        unknown = [name for name in raw if name not in allowed]
        if unknown and strict:
            raise unknown_param(unknown[0])
        self.values = {k: v for k, v in raw.items() if k in allowed}

    def __contains__(self, name):
        return name in self.values

    def string(self, name, required=False, default=None):
        value = self.values.get(name)
        if value is None:
            if required:
                raise missing_param(name)
            return default
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {_describe(value)}", param=name)
        return value

    def optional_string(self, name):
        """A string where ``""`` means "unset" (Stripe's convention for clearing a field)."""
        value = self.string(name)
        return value or None

    def integer(self, name, required=False, default=None):
        value = self.string(name, required=required)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid(f"Invalid integer: {value}", param=name) from None

    def boolean(self, name, default=False):
        value = self.string(name)
        if value is None or value == "":
            return default
        if value not in ("true", "false"):
            raise invalid(f"Invalid boolean: {value}", param=name)
        return value == "true"

    def choice(self, name, choices, default=None):
        value = self.string(name)
        if value is None:
            return default
        if value not in choices:
            raise invalid(
                f"Invalid {name}: must be one of {', '.join(choices)}", param=name, code="parameter_invalid_string"
            )
        return value

    def mapping(self, name, allowed=None):
        value = self.values.get(name)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid(f"Invalid hash: {name}", param=name)
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise unknown_param(f"{name}[{key}]")
        return value

    def string_list(self, name):
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"Invalid array: {name}", param=name)
        return value

    def metadata(self):
        """Metadata: string values, 50 keys at most, as Stripe allows."""
        value = self.mapping("metadata")
        if len(value) > 50:
            raise invalid("Invalid metadata: metadata may only have up to 50 keys", param="metadata")
        for key, item in value.items():
            if not isinstance(item, str):
                raise invalid(f"Invalid metadata[{key}]: must be a string", param=f"metadata[{key}]")
        return value


def _describe(value):
    return "array" if isinstance(value, list) else "object"


def merge_metadata(current, update):
    """Stripe merges metadata on update; an empty value deletes the key."""
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
