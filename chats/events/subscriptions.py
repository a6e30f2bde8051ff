"""Who hears which domain event: the one place listeners are registered (at start-up, from
`ChatsConfig.ready`).

In the transaction of the fact (they write what must exist exactly when the fact does):
- report events (`reports.listeners`);
- notifications (`operators.listeners`);
- the outbound webhooks' outbox (`chats.connectors.webhooks.listeners`).

After the commit, in this order:
- the live broadcast to consoles and widgets (`chats.events.live_listener`);
- routing (`chats.assignment.listeners`), which enqueues its work;
- replies out through their channel (`chats.connectors.delivery`, which marks them pending
  in the transaction);
- the Telegram connector (`chats.connectors.telegram.listeners`): hidden messages deleted,
  ratings asked;
- the email connector (`chats.connectors.email.listeners`): a widget visitor who left an
  email gets the replies they have not read by email;
- the outbound webhooks (`chats.connectors.webhooks.listeners`), which ask for the fan-out.
"""

from __future__ import annotations

from chats.assignment import listeners as routing
from chats.connectors import delivery
from chats.connectors.email import listeners as email
from chats.connectors.telegram import listeners as telegram
from chats.connectors.webhooks import listeners as webhooks
from chats.connectors.webhooks import subscriptions as webhook_subscriptions
from chats.events import live_listener
from chats.events.dispatch import Listener, Registry, registry
from operators import listeners as notifications
from reports import listeners as reporting

LISTENERS = (
    Listener(
        name="reports",
        event_types=reporting.EVENT_TYPES,
        handle=reporting.on_events,
        in_transaction=True,
        wants=reporting.wants,
    ),
    Listener(
        name="notifications",
        event_types=notifications.EVENT_TYPES,
        handle=notifications.on_events,
        in_transaction=True,
        wants=notifications.wants,
    ),
    Listener(
        name="live",
        event_types=live_listener.EVENT_TYPES,
        handle=live_listener.on_events,
        ahandle=live_listener.on_events_async,
    ),
    Listener(
        name="delivery-pending",
        event_types=delivery.IN_TRANSACTION_TYPES,
        handle=delivery.mark_pending,
        in_transaction=True,
        speaks_to_visitor=True,
        wants=delivery.wants,
    ),
    Listener(
        name="webhooks-outbox",
        event_types=webhooks.EVENT_TYPES,
        handle=webhooks.outbox_write,
        in_transaction=True,
        wants=webhooks.wants,
        arefresh=webhook_subscriptions.arefresh,
    ),
    Listener(name="routing", event_types=routing.EVENT_TYPES, handle=routing.on_events),
    Listener(
        name="delivery",
        event_types=delivery.EVENT_TYPES,
        handle=delivery.on_events,
        ahandle=delivery.on_events_async,
        speaks_to_visitor=True,
    ),
    Listener(
        name="telegram",
        event_types=telegram.EVENT_TYPES,
        handle=telegram.on_events,
        ahandle=telegram.on_events_async,
        speaks_to_visitor=True,
    ),
    Listener(
        name="email",
        event_types=email.EVENT_TYPES,
        handle=email.on_events,
        ahandle=email.on_events_async,
        speaks_to_visitor=True,
    ),
    Listener(
        name="webhooks",
        event_types=webhooks.EVENT_TYPES,
        handle=webhooks.on_events,
        ahandle=webhooks.on_events_async,
    ),
)


def subscribe(into: Registry = registry) -> None:
    for listener in LISTENERS:
        into.add(listener)
