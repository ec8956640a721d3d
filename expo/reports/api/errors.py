"""The data API's refusals. Every one answers ``{"error": {"code": ..., "message": ...}}`` with its
status (the ``Error`` schema); the messages are English and stable, for programs."""

from __future__ import annotations

REALM = 'Bearer realm="umkm-expo"'


class ApiError(Exception):
    """A refusal with its HTTP status, stable ``code``, message and any headers it needs."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    @property
    def body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


def no_token() -> ApiError:
    return ApiError(
        401,
        "unauthenticated",
        "Send a token: Authorization: Bearer <token>.",
        headers={"WWW-Authenticate": REALM},
    )


def invalid_token() -> ApiError:
    return ApiError(
        401,
        "invalid_token",
        "This token is unknown or was revoked.",
        headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
    )


def not_found(message: str = "No such expo for this token's office.") -> ApiError:
    return ApiError(404, "not_found", message)


READS = ("GET", "HEAD")


def method_not_allowed() -> ApiError:
    return ApiError(
        405,
        "method_not_allowed",
        "This API only reads: use GET or HEAD.",
        headers={"Allow": ", ".join(READS)},
    )


# What each status means, for the document (ninja would say only "Unauthorized" and so on).
MEANINGS = {
    400: "Bad page or page_size.",
    401: "No token, or an unknown or revoked one.",
    404: "No such expo (or breakdown) for this token's office.",
    429: "Rate limit reached; retry after the Retry-After header's seconds.",
}
