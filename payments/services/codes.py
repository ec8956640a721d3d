"""Numbers people read aloud and type: orders' and charges' codes."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def random_code(length: int) -> str:
    """``length`` characters nobody misreads."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(length))


def new_order_code() -> str:
    raw = random_code(8)
    return f"UVE-{raw[:4]}-{raw[4:]}"


def new_charge_code() -> str:
    return f"UVC-{random_code(4)}-{random_code(4)}"
