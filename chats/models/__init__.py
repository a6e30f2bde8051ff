"""The models of the chats domain: the conversation model shared by every channel (`core`) and
what each channel keeps of its own (`telegram`, `email`, `webhooks` with the API channel)."""

from chats.models.core import (
    Attachment as Attachment,
)
from chats.models.core import (
    AttachmentKind as AttachmentKind,
)
from chats.models.core import (
    AuthorKind as AuthorKind,
)
from chats.models.core import (
    CannedResponse as CannedResponse,
)
from chats.models.core import (
    Channel as Channel,
)
from chats.models.core import (
    Contact as Contact,
)
from chats.models.core import (
    Conversation as Conversation,
)
from chats.models.core import (
    ConversationStatus as ConversationStatus,
)
from chats.models.core import (
    CsatResponse as CsatResponse,
)
from chats.models.core import (
    Delivery as Delivery,
)
from chats.models.core import (
    Inbox as Inbox,
)
from chats.models.core import (
    Label as Label,
)
from chats.models.core import (
    Message as Message,
)
from chats.models.core import (
    Outcome as Outcome,
)
from chats.models.core import (
    Priority as Priority,
)
from chats.models.core import (
    RoutingStrategy as RoutingStrategy,
)
from chats.models.core import (
    Visitor as Visitor,
)
from chats.models.core import (
    attachment_path as attachment_path,
)
from chats.models.email import (
    EmailAccount as EmailAccount,
)
from chats.models.email import (
    EmailKind as EmailKind,
)
from chats.models.email import (
    EmailMessage as EmailMessage,
)
from chats.models.telegram import (
    TelegramBot as TelegramBot,
)
from chats.models.telegram import (
    TelegramChat as TelegramChat,
)
from chats.models.telegram import (
    TelegramChatKind as TelegramChatKind,
)
from chats.models.telegram import (
    TelegramMessage as TelegramMessage,
)
from chats.models.telegram import (
    TelegramPost as TelegramPost,
)
from chats.models.telegram import (
    TelegramPostState as TelegramPostState,
)
from chats.models.telegram import (
    TelegramUpdate as TelegramUpdate,
)
from chats.models.webhooks import (
    ApiContact as ApiContact,
)
from chats.models.webhooks import (
    ApiInbox as ApiInbox,
)
from chats.models.webhooks import (
    DeliveryState as DeliveryState,
)
from chats.models.webhooks import (
    Webhook as Webhook,
)
from chats.models.webhooks import (
    WebhookAttempt as WebhookAttempt,
)
from chats.models.webhooks import (
    WebhookDelivery as WebhookDelivery,
)
from chats.models.webhooks import (
    WebhookEvent as WebhookEvent,
)
from chats.models.webhooks import (
    WebhookEventName as WebhookEventName,
)
