"""The sender: pending deliveries posted, signed, away from the chat's path.

One run of `pump` (a Celery task) claims due deliveries and posts them concurrently on one
event loop, so a slow endpoint holds a connection, never the others' turns. A delivery is due
when its time has come and nothing older of its conversation waits for the same webhook (the
order per conversation); it is claimed for `CLAIM_SECONDS` (a dead worker's claims lapse and
another run posts them again: at least once, the receiver dedupes by the delivery id).

An endpoint that fails is paused for a growing while; then one delivery at a time probes it
and the rest of its deliveries wait; the first success lifts the pause and lets the
deliveries that waited for it go at once. Each delivery that failed keeps its own exponential
back-off until 24 hours after it was made, then is given up (an admin may send it again).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chats.models import DeliveryState, Webhook, WebhookAttempt, WebhookDelivery
from helpdesk.db import db_call
from helpdesk.errors import ServiceError
from helpdesk.ssrf import (
    AddressNotAllowed,
    GuardedResolver,
    address_allowed,
    host_is_trusted,
    literal_address,
    url_host,
)

PENDING = DeliveryState.PENDING
CLAIM_SECONDS = 60
IN_FLIGHT_MAX = 100  # posts at once, per run
IN_FLIGHT_PER_WEBHOOK = 10
FIRST_RETRY_SECONDS = 10
RETRY_MAX_SECONDS = 3 * 3600
PAUSE_MAX_SECONDS = 300
POLL_SECONDS = 0.5
RESPONSE_READ_BYTES = 4096
USER_AGENT = "Helpdesk-Webhooks/1"


def retry_delay(attempts: int, *, cap: int = RETRY_MAX_SECONDS) -> timedelta:
    """10 s, 20 s, 40 s, ... at most `cap`, with a little jitter so retries spread out."""
    seconds = min(cap, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds * random.uniform(1.0, 1.1))  # noqa: S311


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    delivery_id: int
    uid: str
    event: str
    body: str
    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class Result:
    at: datetime
    response_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def _heads(webhook_id: int, now: datetime) -> QuerySet[WebhookDelivery]:
    earlier = WebhookDelivery.objects.filter(
        webhook_id=webhook_id,
        state=PENDING,
        conversation_id=OuterRef("conversation_id"),
        id__lt=OuterRef("id"),
    )
    return (
        WebhookDelivery.objects.filter(webhook_id=webhook_id, state=PENDING)
        .filter(next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .exclude(Exists(earlier))
        .order_by("id")
    )


def claim_due(room: int) -> list[Claim]:
    """Claim up to `room` due deliveries, fairly across webhooks."""
    if room <= 0:
        return []
    now = timezone.now()
    webhooks = list(
        Webhook.objects.filter(Q(paused_until__isnull=True) | Q(paused_until__lte=now))
        .filter(Exists(WebhookDelivery.objects.filter(webhook=OuterRef("pk"), state=PENDING)))
        .values_list("pk", "failures_in_row")
    )
    if not webhooks:
        return []
    in_flight = dict(
        WebhookDelivery.objects.filter(state=PENDING, claimed_until__gt=now)
        .values_list("webhook_id")
        .annotate(n=Count("id"))
        .values_list("webhook_id", "n")
    )
    chosen: list[int] = []
    for webhook_id, failures in webhooks:
        limit = (1 if failures else IN_FLIGHT_PER_WEBHOOK) - in_flight.get(webhook_id, 0)
        limit = min(limit, room - len(chosen))
        if limit > 0:
            chosen += _heads(webhook_id, now).values_list("pk", flat=True)[:limit]
    if not chosen:
        return []
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=chosen, state=PENDING)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .select_related("webhook")
            .order_by("id")
        )
        WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS)
        )
    return [
        Claim(
            delivery_id=row.pk,
            uid=str(row.uid),
            event=row.event,
            body=row.body,
            url=row.webhook.url,
            secret=row.webhook.secret,
        )
        for row in rows
    ]


def record(claim: Claim, result: Result) -> None:
    """An attempt's answer: the delivery delivered, retried later or given up, and the
    endpoint's health with it."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=claim.delivery_id).first()
        if delivery is None or delivery.state != PENDING:
            return  # its webhook deleted meanwhile
        webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=result.at,
            response_code=result.response_code,
            error=result.error[:500],
            duration_ms=result.duration_ms,
        )
        delivery.attempts += 1
        delivery.last_attempt_at = result.at
        delivery.response_code = result.response_code
        delivery.error = result.error[:500]
        delivery.claimed_until = None
        if result.ok:
            delivery.state = DeliveryState.DELIVERED
            delivery.delivered_at = result.at
            if webhook.failures_in_row:
                _endpoint_recovered(webhook)
        else:
            if result.at >= delivery.expires_at:
                delivery.state = DeliveryState.FAILED
            else:
                delivery.next_attempt_at = result.at + retry_delay(delivery.attempts)
            webhook.failures_in_row += 1
            pause = retry_delay(webhook.failures_in_row, cap=PAUSE_MAX_SECONDS)
            webhook.paused_until = result.at + pause
            webhook.save(update_fields=["failures_in_row", "paused_until"])
        delivery.save()


def _endpoint_recovered(webhook: Webhook) -> None:
    """The pause is lifted: the deliveries that waited for it (never tried, so due) go now;
    each one that failed keeps its own back-off (a payload the receiver refuses is not
    posted again sooner because others get through)."""
    webhook.failures_in_row = 0
    webhook.paused_until = None
    webhook.save(update_fields=["failures_in_row", "paused_until"])


def give_up_expired() -> int:
    """Deliveries still pending 24 hours after they were made (their endpoint paused all
    along) are given up."""
    now = timezone.now()
    return WebhookDelivery.objects.filter(state=PENDING, expires_at__lt=now).update(
        state=DeliveryState.FAILED, claimed_until=None, error="given up after 24 hours"
    )


def _literal_address_refused(url: str) -> str:
    """aiohttp resolves names through `GuardedResolver`, but connects to a host that looks
    like an address (any digits and dots: `127.1`, `2130706433`) without asking it: those are
    judged here, read as the C library reads them. Answers the reason, or ""."""
    try:
        host, _port = url_host(url)
    except ServiceError as error:
        return error.message
    address = literal_address(host)
    if address is None or host_is_trusted(host) or address_allowed(address):
        return ""
    return f"{host} is not an address webhooks may be sent to"


async def post(session: aiohttp.ClientSession, claim: Claim) -> Result:
    at = timezone.now()
    started = time.monotonic()
    code: int | None = None
    error = _literal_address_refused(claim.url)
    if not error:
        body = claim.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Helpdesk-Event": claim.event,
            "X-Helpdesk-Delivery": claim.uid,
            "X-Helpdesk-Signature": signature(claim.secret, body),
        }
        try:
            async with session.post(
                claim.url,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=settings.WEBHOOK_TIMEOUT),
            ) as response:
                code = response.status
                await response.content.read(RESPONSE_READ_BYTES)
                if 300 <= code < 400:
                    target = response.headers.get("Location", "?")
                    error = f"redirects are not followed ({code} to {target})"
                elif not 200 <= code < 300:
                    error = f"answered {code}"
        except TimeoutError:
            error = f"no answer within {settings.WEBHOOK_TIMEOUT:g} s"
        except AddressNotAllowed as refused:
            error = str(refused)
        except aiohttp.ClientError as failure:
            error = str(failure) or type(failure).__name__
    duration = int((time.monotonic() - started) * 1000)
    return Result(at=at, response_code=code, error=error, duration_ms=duration)


async def _attempt(session: aiohttp.ClientSession, claim: Claim) -> None:
    result = await post(session, claim)
    await db_call(record, claim, result)


async def pump(*, seconds: float, each_round: Callable[[], None] | None = None) -> int:
    """Post due deliveries for up to `seconds` (posts in flight then finish): answers how
    many attempts were made. `each_round` runs (in a database thread) before every claim."""
    deadline = time.monotonic() + seconds
    attempts = 0
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(), use_dns_cache=False, limit=IN_FLIGHT_MAX
    )
    async with aiohttp.ClientSession(connector=connector) as session:
        in_flight: set[asyncio.Task[None]] = set()
        while True:
            claims: list[Claim] = []
            if time.monotonic() < deadline:
                if each_round is not None:
                    await db_call(each_round)
                claims = await db_call(claim_due, IN_FLIGHT_MAX - len(in_flight))
            in_flight.update(asyncio.create_task(_attempt(session, claim)) for claim in claims)
            if not in_flight:
                return attempts
            done, _pending = await asyncio.wait(
                in_flight, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            in_flight -= done
            attempts += len(done)


def due_exists() -> bool:
    now = timezone.now()
    return WebhookDelivery.objects.filter(
        state=PENDING,
        next_attempt_at__lte=now,
        webhook__in=Webhook.objects.filter(Q(paused_until__isnull=True) | Q(paused_until__lte=now)),
    ).exists()
