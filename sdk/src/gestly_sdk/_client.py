"""``GestlyClient``: the ``/v1`` API from Python, standard library only.

Every POST carries an ``Idempotency-Key`` (one per call, kept across its retries), so
retrying a POST can never book twice. Requests that fail with 429, 5xx or no answer
are retried with exponential backoff and jitter, honouring ``Retry-After``.
"""

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any, Final, cast

from gestly_sdk._errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    GestlyAPIError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)

DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000/v1"
USER_AGENT: Final = "gestly-sdk-python/0.1.0"
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
ERRORS_BY_STATUS: Final[dict[int, type[GestlyAPIError]]] = {
    400: ValidationError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    422: ValidationError,
    429: RateLimitError,
}

Json = dict[str, Any]


def error_for(status: int, body: bytes) -> GestlyAPIError:
    try:
        detail = json.loads(body)["error"]
        code, message, field = detail["code"], detail["message"], detail.get("field")
    except (ValueError, KeyError, TypeError):
        code, message, field = "http_error", body[:200].decode("utf-8", "replace"), None
    kind = ERRORS_BY_STATUS.get(
        status, ServerError if status >= 500 else GestlyAPIError
    )
    return kind(status, code, message, field)


class GestlyClient:
    """A client for one account's API token.

    In production ``base_url`` is ``https://api.gestly.com/v1``; the default points at
    a local ``gestly serve``.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_s: float = 30.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError(f"base_url {base_url!r} must start with https://")
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.sleep = sleep

    # Generic calls.

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Json | None = None,
        idempotency_key: str | None = None,
    ) -> Json:
        """Send one call (retrying where safe) and return the decoded JSON answer
        (``{}`` for an empty one)."""
        query = {
            key: value for key, value in (params or {}).items() if value is not None
        }
        url = (
            self.base_url
            + path
            + ("?" + urllib.parse.urlencode(query) if query else "")
        )
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())

        for attempt in range(self.max_retries + 1):
            # The scheme was checked in __init__: http or https only.
            request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
                    body = answer.read()
                    return cast(Json, json.loads(body)) if body else {}
            except urllib.error.HTTPError as exc:
                body = exc.read()
                if exc.code not in RETRY_STATUSES or attempt == self.max_retries:
                    raise error_for(exc.code, body) from None
                self.sleep(self.delay(attempt, exc.headers))
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == self.max_retries:
                    raise ConnectionError(0, "connection_error", str(exc)) from exc
                self.sleep(self.delay(attempt, None))
        raise AssertionError("the loop returns or raises")

    def delay(self, attempt: int, headers: Message | None) -> float:
        retry_after = headers.get("Retry-After") if headers is not None else None
        if retry_after is not None and retry_after.strip().isdigit():
            return float(retry_after)
        # Jitter spreads clients out; it needs no cryptographic randomness.
        return float(self.backoff_s * 2**attempt * (1 + random.random()))  # noqa: S311

    def paginate(
        self, path: str, params: dict[str, Any] | None = None
    ) -> Iterator[Json]:
        """Every item of a list, following ``next_cursor`` page after page."""
        query = dict(params or {})
        while True:
            page = self.request("GET", path, params=query)
            yield from page["data"]
            if not page["has_more"]:
                return
            query["cursor"] = page["next_cursor"]

    # Scheduling.

    def get_availability(
        self, date: str, service_id: str, professional_id: str | None = None
    ) -> Json:
        return self.request(
            "GET",
            "/availability",
            params={
                "date": date,
                "service_id": service_id,
                "professional_id": professional_id,
            },
        )

    def create_service(self, **fields: Any) -> Json:
        return self.request("POST", "/services", json_body=fields)

    def create_professional(self, **fields: Any) -> Json:
        return self.request("POST", "/professionals", json_body=fields)

    def create_customer(self, **fields: Any) -> Json:
        return self.request("POST", "/customers", json_body=fields)

    def update_customer(self, customer_id: str, **fields: Any) -> Json:
        return self.request("PATCH", f"/customers/{customer_id}", json_body=fields)

    def book_appointment(self, **fields: Any) -> Json:
        return self.request("POST", "/appointments", json_body=fields)

    def update_appointment(self, appointment_id: str, **fields: Any) -> Json:
        return self.request(
            "PATCH", f"/appointments/{appointment_id}", json_body=fields
        )

    def cancel_appointment(
        self, appointment_id: str, reason: str | None = None
    ) -> Json:
        return self.request(
            "POST",
            f"/appointments/{appointment_id}/cancel",
            json_body={"reason": reason},
        )

    def create_review(self, **fields: Any) -> Json:
        return self.request("POST", "/reviews", json_body=fields)

    def answer_review(self, review_id: str, text: str) -> Json:
        return self.request(
            "POST", f"/reviews/{review_id}/response", json_body={"text": text}
        )

    def create_reward(self, **fields: Any) -> Json:
        return self.request("POST", "/rewards", json_body=fields)

    def get_loyalty(self, customer_id: str) -> Json:
        return self.request("GET", f"/customers/{customer_id}/loyalty")

    def redeem_reward(self, customer_id: str, reward_id: str) -> Json:
        return self.request(
            "POST",
            f"/customers/{customer_id}/redemptions",
            json_body={"reward_id": reward_id},
        )

    # Webhooks.

    def list_event_types(self) -> list[Json]:
        """The catalog: name, group, description, JSON Schema and example of each."""
        return list(self.paginate("/event_types"))

    def create_endpoint(self, url: str, **fields: Any) -> Json:
        return self.request(
            "POST", "/webhook_endpoints", json_body={"url": url, **fields}
        )

    def get_endpoint(self, endpoint_id: str) -> Json:
        return self.request("GET", f"/webhook_endpoints/{endpoint_id}")

    def update_endpoint(self, endpoint_id: str, **fields: Any) -> Json:
        return self.request(
            "PATCH", f"/webhook_endpoints/{endpoint_id}", json_body=fields
        )

    def delete_endpoint(self, endpoint_id: str) -> None:
        self.request("DELETE", f"/webhook_endpoints/{endpoint_id}")

    def rotate_secret(self, endpoint_id: str, grace_period_hours: int = 24) -> Json:
        return self.request(
            "POST",
            f"/webhook_endpoints/{endpoint_id}/rotate_secret",
            json_body={"grace_period_hours": grace_period_hours},
        )

    def send_test_event(self, endpoint_id: str, event_type: str) -> Json:
        return self.request(
            "POST",
            f"/webhook_endpoints/{endpoint_id}/test",
            json_body={"type": event_type},
        )

    def recover(self, endpoint_id: str, since: str) -> Json:
        return self.request(
            "POST",
            f"/webhook_endpoints/{endpoint_id}/recover",
            json_body={"since": since},
        )

    def get_delivery(self, delivery_id: str) -> Json:
        return self.request("GET", f"/webhook_deliveries/{delivery_id}")

    def retry_delivery(self, delivery_id: str) -> Json:
        return self.request("POST", f"/webhook_deliveries/{delivery_id}/retry")

    def iter_deliveries(self, **filters: Any) -> Iterator[Json]:
        return self.paginate("/webhook_deliveries", filters)

    def iter_events(self, **filters: Any) -> Iterator[Json]:
        return self.paginate("/events", filters)
