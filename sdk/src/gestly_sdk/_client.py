"""``GestlyClient``: the ``/v1`` API from Python, standard library only.

Every POST carries an ``Idempotency-Key``, one per call and the same on each retry of
that call, so a POST retried after a lost answer is carried out once. Requests that
meet 429, 5xx or no answer are retried as ``_retries.decide_retry`` says. Redirects
are never followed: they would carry the token to wherever they point.
"""

import http.client
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any, Final, NoReturn

from gestly_sdk._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    GestlyAPIError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from gestly_sdk._retries import (
    FailedAttempt,
    RetryPolicy,
    decide_retry,
    read_retry_after,
)
from gestly_sdk._version import __version__

DEFAULT_BASE_URL: Final = "http://127.0.0.1:8000/v1"
PRODUCTION_BASE_URL: Final = "https://api.gestly.com/v1"
REQUEST_TIMEOUT_S: Final = 30.0
USER_AGENT: Final = f"gestly-sdk-python/{__version__}"
MAX_IDEMPOTENCY_KEY_CHARS: Final = 255
ERROR_BODY_PREVIEW_CHARS: Final = 200
ERRORS_BY_STATUS: Final[Mapping[int, type[GestlyAPIError]]] = {
    400: ValidationError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    422: ValidationError,
    429: RateLimitError,
}

JsonObject = dict[str, Any]
Query = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list; pass ``next_cursor`` as ``cursor`` for the next."""

    data: list[JsonObject]
    has_more: bool
    next_cursor: str | None


class RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        return None


def encode_value(value: object) -> object:
    """JSON and query values: aware datetimes as UTC ``…Z`` text, dates as
    ``YYYY-MM-DD``; a naive datetime is refused, its zone would be a guess."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"pass an aware datetime, not the naive {value!r}")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def query_string(query: Query | None) -> str:
    pairs = {
        name: str(encode_value(value))
        for name, value in (query or {}).items()
        if value is not None
    }
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return encode_value(value)
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")


def segment(identifier: str) -> str:
    """An id as one path segment: a '/' or '?' in it cannot reach another route."""
    return urllib.parse.quote(identifier, safe="")


def without_none(**fields: object) -> JsonObject:
    return {name: value for name, value in fields.items() if value is not None}


def error_from_answer(
    status: int, body: bytes, retry_after_s: float | None
) -> GestlyAPIError:
    try:
        detail = json.loads(body)["error"]
        code, message = str(detail["code"]), str(detail["message"])
        field = None if detail.get("field") is None else str(detail["field"])
    except (ValueError, KeyError, TypeError, RecursionError):
        preview = body[:ERROR_BODY_PREVIEW_CHARS].decode("utf-8", "replace")
        code, message, field = "http_error", preview or f"HTTP {status}", None

    if 300 <= status < 400:
        return GestlyAPIError(
            status,
            "redirect",
            "the API answered with a redirect, which is not followed; check "
            "base_url (https://, the /v1 suffix)",
        )
    if status == 429:
        return RateLimitError(status, code, message, field, retry_after_s)
    kind = ERRORS_BY_STATUS.get(
        status, ServerError if status >= 500 else GestlyAPIError
    )
    return kind(status, code, message, field)


def error_code_of(body: bytes) -> str | None:
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    return code if isinstance(code, str) else None


class GestlyClient:
    """A client for one account's API token.

    ``base_url`` defaults to a local ``gestly serve``; production is
    ``https://api.gestly.com/v1``. ``timeout_s`` bounds each wait on the network
    (connecting, each read), not a whole call with its retries. ``sleep`` and
    ``jitter`` (a number in [0, 1) per wait) exist so tests need not wait.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_s: float = REQUEST_TIMEOUT_S,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not isinstance(token, str) or not token or not token.isprintable():
            raise ValueError("token must be the API token text, as the panel shows it")
        if token != token.strip():
            raise ValueError("token has spaces or line breaks around it; remove them")
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                f"base_url {base_url!r} must be an http(s) URL such as "
                f"{PRODUCTION_BASE_URL!r}"
            )

        self._token = token
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._jitter = jitter
        self._opener = urllib.request.build_opener(RefuseRedirects())

    def __repr__(self) -> str:
        return f"GestlyClient(base_url={self.base_url!r})"  # never the token

    # The transport.

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: JsonObject | None = None,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """Send one call, retrying where safe; return the decoded JSON answer
        (``{}`` for an empty one, such as a 204)."""
        method = method.upper()
        url = self.base_url + path + query_string(query)
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        data = None
        if body is not None:
            data = json.dumps(body, default=json_default, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        if method == "POST":
            key = idempotency_key or str(uuid.uuid4())
            if len(key) > MAX_IDEMPOTENCY_KEY_CHARS or not key.isprintable():
                raise ValueError(
                    "idempotency_key must be 1 to 255 printable characters"
                )
            headers["Idempotency-Key"] = key

        attempt = 1
        while True:
            # The scheme was checked in __init__: http or https only.
            request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310
            try:
                with self._opener.open(request, timeout=self.timeout_s) as answer:
                    return self._decode(answer.status, answer.read())
            except urllib.error.HTTPError as exc:
                answer_body = self._read_error_body(exc)
                failed = FailedAttempt(
                    method=method,
                    attempt=attempt,
                    status=exc.code,
                    error_code=error_code_of(answer_body),
                    retry_after=exc.headers.get("Retry-After"),
                )
                delay_s = self._delay(failed)
                if delay_s is None:
                    raise self._error(failed, answer_body) from None
            except (OSError, http.client.HTTPException) as exc:
                failed = FailedAttempt(method=method, attempt=attempt)
                delay_s = self._delay(failed)
                if delay_s is None:
                    self._raise_no_answer(method, url, exc)
            self._sleep(delay_s)
            attempt += 1

    def _delay(self, failed: FailedAttempt) -> float | None:
        return decide_retry(
            self.retry_policy, failed, datetime.now(UTC), self._jitter()
        )

    def _error(self, failed: FailedAttempt, body: bytes) -> GestlyAPIError:
        assert failed.status is not None  # only HTTP answers get here
        retry_after_s = read_retry_after(failed.retry_after, datetime.now(UTC))
        return error_from_answer(failed.status, body, retry_after_s)

    @staticmethod
    def _read_error_body(exc: urllib.error.HTTPError) -> bytes:
        try:
            return exc.read()
        except (OSError, http.client.HTTPException):
            return b""
        finally:
            exc.close()

    @staticmethod
    def _decode(status: int, body: bytes) -> JsonObject:
        if not body:
            return {}
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):
            decoded = None
        if not isinstance(decoded, dict):
            raise GestlyAPIError(
                status,
                "invalid_response",
                "the API's answer is not a JSON object; check base_url",
            )
        return decoded

    @staticmethod
    def _raise_no_answer(method: str, url: str, exc: Exception) -> NoReturn:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise APITimeoutError(f"{method} {url} timed out") from exc
        raise APIConnectionError(f"{method} {url} got no answer: {reason}") from exc

    def get_page(
        self, path: str, query: Query | None = None, *, key: str | None = None
    ) -> Page:
        """One page of a list. ``key`` names the list when the answer nests it
        (``ledger`` in ``/customers/{id}/loyalty``)."""
        answer = self.request("GET", path, query=query)
        envelope = answer if key is None else answer.get(key)
        if not isinstance(envelope, dict):
            envelope = {}
        data, has_more = envelope.get("data"), envelope.get("has_more")
        next_cursor = envelope.get("next_cursor")
        if (
            not isinstance(data, list)
            or not isinstance(has_more, bool)
            or not isinstance(next_cursor, str | None)
        ):
            raise GestlyAPIError(
                200, "invalid_response", f"GET {path} did not answer with a list"
            )
        return Page(data=data, has_more=has_more, next_cursor=next_cursor)

    def paginate(
        self, path: str, query: Query | None = None, *, key: str | None = None
    ) -> Iterator[JsonObject]:
        """Every item of a list, fetching page after page as the iteration needs."""
        current = dict(query or {})
        while True:
            page = self.get_page(path, current, key=key)
            yield from page.data
            if not page.has_more or page.next_cursor is None:
                return
            current["cursor"] = page.next_cursor

    # Services and professionals.

    def create_service(
        self,
        name: str,
        duration_minutes: int,
        price_cents: int,
        currency: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """``price_cents`` is an integer amount of cents; ``currency`` defaults to
        the server's (BRL)."""
        fields = without_none(
            name=name,
            duration_minutes=duration_minutes,
            price_cents=price_cents,
            currency=currency,
        )
        return self.request(
            "POST", "/services", body=fields, idempotency_key=idempotency_key
        )

    def get_service(self, service_id: str) -> JsonObject:
        return self.request("GET", f"/services/{segment(service_id)}")

    def update_service(self, service_id: str, **fields: object) -> JsonObject:
        return self.request("PATCH", f"/services/{segment(service_id)}", body=fields)

    def list_services(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page:
        return self.get_page("/services", {"limit": limit, "cursor": cursor})

    def iter_services(self) -> Iterator[JsonObject]:
        return self.paginate("/services")

    def create_professional(
        self,
        name: str,
        service_ids: list[str] | None = None,
        *,
        idempotency_key: str | None = None,
        **fields: object,
    ) -> JsonObject:
        """Extra ``fields``: ``working_hours``, ``days_off``, ``active``."""
        body = without_none(name=name, service_ids=service_ids, **fields)
        return self.request(
            "POST", "/professionals", body=body, idempotency_key=idempotency_key
        )

    def get_professional(self, professional_id: str) -> JsonObject:
        return self.request("GET", f"/professionals/{segment(professional_id)}")

    def update_professional(self, professional_id: str, **fields: object) -> JsonObject:
        return self.request(
            "PATCH", f"/professionals/{segment(professional_id)}", body=fields
        )

    def list_professionals(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page:
        return self.get_page("/professionals", {"limit": limit, "cursor": cursor})

    def iter_professionals(self) -> Iterator[JsonObject]:
        return self.paginate("/professionals")

    # Customers.

    def create_customer(
        self,
        name: str,
        email: str | None = None,
        phone: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        body = without_none(name=name, email=email, phone=phone)
        return self.request(
            "POST", "/customers", body=body, idempotency_key=idempotency_key
        )

    def get_customer(self, customer_id: str) -> JsonObject:
        return self.request("GET", f"/customers/{segment(customer_id)}")

    def update_customer(self, customer_id: str, **fields: object) -> JsonObject:
        """Only the fields given change; pass ``email=None`` to clear one."""
        return self.request("PATCH", f"/customers/{segment(customer_id)}", body=fields)

    def list_customers(
        self,
        *,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        return self.get_page("/customers", {"q": q, "limit": limit, "cursor": cursor})

    def iter_customers(self, *, q: str | None = None) -> Iterator[JsonObject]:
        return self.paginate("/customers", {"q": q})

    # Appointments and availability.

    def get_availability(
        self,
        date: date | str,
        service_id: str,
        professional_id: str | None = None,
    ) -> JsonObject:
        """``{date, service_id, slots: [{start_time, end_time, professional_id}]}``
        for the business's local ``date``."""
        query = {
            "date": date,
            "service_id": service_id,
            "professional_id": professional_id,
        }
        return self.request("GET", "/availability", query=query)

    def create_appointment(
        self,
        customer_id: str,
        service_id: str,
        start_time: datetime | str,
        professional_id: str | None = None,
        notes: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """Book a slot; ``start_time`` as an aware datetime or ISO 8601 text."""
        body = without_none(
            customer_id=customer_id,
            service_id=service_id,
            start_time=start_time,
            professional_id=professional_id,
            notes=notes,
        )
        return self.request(
            "POST", "/appointments", body=body, idempotency_key=idempotency_key
        )

    def get_appointment(self, appointment_id: str) -> JsonObject:
        return self.request("GET", f"/appointments/{segment(appointment_id)}")

    def update_appointment(self, appointment_id: str, **fields: object) -> JsonObject:
        """Reschedule (``start_time``), reassign, change ``notes`` or ``status``."""
        return self.request(
            "PATCH", f"/appointments/{segment(appointment_id)}", body=fields
        )

    def cancel_appointment(
        self,
        appointment_id: str,
        reason: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        return self.request(
            "POST",
            f"/appointments/{segment(appointment_id)}/cancel",
            body=without_none(reason=reason),
            idempotency_key=idempotency_key,
        )

    def list_appointments(
        self,
        *,
        status: str | None = None,
        customer_id: str | None = None,
        professional_id: str | None = None,
        starts_after: datetime | str | None = None,
        starts_before: datetime | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        query = {
            "status": status,
            "customer_id": customer_id,
            "professional_id": professional_id,
            "starts_after": starts_after,
            "starts_before": starts_before,
            "limit": limit,
            "cursor": cursor,
        }
        return self.get_page("/appointments", query)

    def iter_appointments(self, **filters: object) -> Iterator[JsonObject]:
        """Filters as in ``list_appointments``."""
        return self.paginate("/appointments", filters)

    # Reviews and loyalty.

    def create_review(
        self,
        appointment_id: str,
        rating: int,
        comment: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        body = without_none(
            appointment_id=appointment_id, rating=rating, comment=comment
        )
        return self.request(
            "POST", "/reviews", body=body, idempotency_key=idempotency_key
        )

    def get_review(self, review_id: str) -> JsonObject:
        return self.request("GET", f"/reviews/{segment(review_id)}")

    def respond_to_review(
        self, review_id: str, text: str, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return self.request(
            "POST",
            f"/reviews/{segment(review_id)}/response",
            body={"text": text},
            idempotency_key=idempotency_key,
        )

    def list_reviews(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page:
        return self.get_page("/reviews", {"limit": limit, "cursor": cursor})

    def iter_reviews(self) -> Iterator[JsonObject]:
        return self.paginate("/reviews")

    def create_reward(
        self, name: str, points_cost: int, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return self.request(
            "POST",
            "/rewards",
            body={"name": name, "points_cost": points_cost},
            idempotency_key=idempotency_key,
        )

    def list_rewards(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page:
        return self.get_page("/rewards", {"limit": limit, "cursor": cursor})

    def iter_rewards(self) -> Iterator[JsonObject]:
        return self.paginate("/rewards")

    def get_loyalty(
        self,
        customer_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> JsonObject:
        """``{customer_id, balance, ledger}``; ``ledger`` is one page, newest first."""
        return self.request(
            "GET",
            f"/customers/{segment(customer_id)}/loyalty",
            query={"limit": limit, "cursor": cursor},
        )

    def iter_loyalty_ledger(self, customer_id: str) -> Iterator[JsonObject]:
        return self.paginate(f"/customers/{segment(customer_id)}/loyalty", key="ledger")

    def redeem_reward(
        self, customer_id: str, reward_id: str, *, idempotency_key: str | None = None
    ) -> JsonObject:
        """Spend the customer's points; ``ConflictError`` if they do not reach."""
        return self.request(
            "POST",
            f"/customers/{segment(customer_id)}/redemptions",
            body={"reward_id": reward_id},
            idempotency_key=idempotency_key,
        )

    def list_redemptions(
        self,
        customer_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        return self.get_page(
            f"/customers/{segment(customer_id)}/redemptions",
            {"limit": limit, "cursor": cursor},
        )

    def iter_redemptions(self, customer_id: str) -> Iterator[JsonObject]:
        return self.paginate(f"/customers/{segment(customer_id)}/redemptions")

    # Webhooks.

    def list_event_types(self) -> list[JsonObject]:
        """The catalog: name, group, description, JSON Schema and example of each."""
        return list(self.paginate("/event_types"))

    def get_event_type(self, name: str) -> JsonObject:
        return self.request("GET", f"/event_types/{segment(name)}")

    def create_webhook_endpoint(
        self,
        url: str,
        description: str | None = None,
        events: list[str] | None = None,
        enabled: bool | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """``events`` left out (or ``["*"]``) subscribes to every type. The answer
        holds the endpoint's ``secret``, for ``Webhook(secret)``."""
        body = without_none(
            url=url, description=description, events=events, enabled=enabled
        )
        return self.request(
            "POST", "/webhook_endpoints", body=body, idempotency_key=idempotency_key
        )

    def get_webhook_endpoint(self, endpoint_id: str) -> JsonObject:
        return self.request("GET", f"/webhook_endpoints/{segment(endpoint_id)}")

    def update_webhook_endpoint(self, endpoint_id: str, **fields: object) -> JsonObject:
        """Fields: ``url``, ``description``, ``events``, ``enabled``."""
        return self.request(
            "PATCH", f"/webhook_endpoints/{segment(endpoint_id)}", body=fields
        )

    def delete_webhook_endpoint(self, endpoint_id: str) -> None:
        self.request("DELETE", f"/webhook_endpoints/{segment(endpoint_id)}")

    def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page:
        return self.get_page("/webhook_endpoints", {"limit": limit, "cursor": cursor})

    def iter_webhook_endpoints(self) -> Iterator[JsonObject]:
        return self.paginate("/webhook_endpoints")

    def rotate_webhook_secret(
        self,
        endpoint_id: str,
        grace_period_hours: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """A new secret; the old one keeps signing for ``grace_period_hours``
        (the server's default when None). Verify with both meanwhile."""
        return self.request(
            "POST",
            f"/webhook_endpoints/{segment(endpoint_id)}/rotate_secret",
            body=without_none(grace_period_hours=grace_period_hours),
            idempotency_key=idempotency_key,
        )

    def send_test_event(
        self,
        endpoint_id: str,
        event_type: str = "appointment.create",
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """Deliver the catalog's example of ``event_type``; answers
        ``{event_id, delivery_id}``."""
        return self.request(
            "POST",
            f"/webhook_endpoints/{segment(endpoint_id)}/test",
            body={"type": event_type},
            idempotency_key=idempotency_key,
        )

    def recover_webhook_endpoint(
        self,
        endpoint_id: str,
        since: datetime | str,
        *,
        idempotency_key: str | None = None,
    ) -> JsonObject:
        """Attempt again every failed delivery of the endpoint created since then."""
        return self.request(
            "POST",
            f"/webhook_endpoints/{segment(endpoint_id)}/recover",
            body={"since": encode_value(since)},
            idempotency_key=idempotency_key,
        )

    def get_event(self, event_id: str) -> JsonObject:
        return self.request("GET", f"/events/{segment(event_id)}")

    def list_events(
        self,
        *,
        event_type: str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        query = {
            "event_type": event_type,
            "created_after": created_after,
            "created_before": created_before,
            "limit": limit,
            "cursor": cursor,
        }
        return self.get_page("/events", query)

    def iter_events(self, **filters: object) -> Iterator[JsonObject]:
        """Filters as in ``list_events``."""
        return self.paginate("/events", filters)

    def get_webhook_delivery(self, delivery_id: str) -> JsonObject:
        """The delivery with every attempt's request and response."""
        return self.request("GET", f"/webhook_deliveries/{segment(delivery_id)}")

    def list_webhook_deliveries(
        self,
        *,
        status: str | None = None,
        event_type: str | None = None,
        endpoint_id: str | None = None,
        event_id: str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page:
        """``status`` is one of pending, retrying, succeeded, failed."""
        query = {
            "status": status,
            "event_type": event_type,
            "endpoint_id": endpoint_id,
            "event_id": event_id,
            "created_after": created_after,
            "created_before": created_before,
            "limit": limit,
            "cursor": cursor,
        }
        return self.get_page("/webhook_deliveries", query)

    def iter_webhook_deliveries(self, **filters: object) -> Iterator[JsonObject]:
        """Filters as in ``list_webhook_deliveries``."""
        return self.paginate("/webhook_deliveries", filters)

    def retry_webhook_delivery(
        self, delivery_id: str, *, idempotency_key: str | None = None
    ) -> JsonObject:
        return self.request(
            "POST",
            f"/webhook_deliveries/{segment(delivery_id)}/retry",
            idempotency_key=idempotency_key,
        )
