"""The read-only data API for an office's own systems, under ``/api/v1/`` (namespace ``api``), on
django-ninja.

- Authentication (:mod:`.security`): ``Authorization: Bearer <token>``; a token (created by an
  organiser in the workspace, stored only as its SHA-256) reads the expos of its own office.
  Another office's expo answers 404, as an unknown one does.
- Rate limit (:mod:`.security`): ``REPORTS_API_RATE = (requests, seconds)`` per token, counted by
  ``expo.ratelimit``; past it, ``429`` with ``Retry-After``.
- Lists (:mod:`.paging`) are paginated with ``page`` (from 1) and ``page_size`` (1–200, default 50).
- Answers are shaped by :mod:`.schemas`, which ninja turns into the OpenAPI 3.1 document at
  ``/api/v1/openapi.json`` and the page ``/api/v1/docs/`` (:mod:`.docs`); the tests check every
  answer against that document. The operations are in :mod:`.endpoints`, the API object with its
  error handling in :mod:`.site`.
"""

from expo.reports.api.site import api

__all__ = ["api"]
