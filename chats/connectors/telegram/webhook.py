"""`POST /channels/telegram/{inbox_id}/webhook`: Telegram's updates, stored before the answer.

The secret Telegram was given at `setWebhook` must come back in
`X-Telegram-Bot-Api-Secret-Token`, or the answer is 403 and nothing is stored. A repeated
`update_id` is answered 200 and stores nothing new. The answer comes at once: the work is a
Celery task's (`inbound.update_process`). A body over 1 MiB never gets here (413).
"""

from __future__ import annotations

import hmac
import json

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chats.connectors.telegram import inbound
from chats.models import TelegramBot
from helpdesk.api_errors import error_json

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest, inbox_id: int) -> JsonResponse:
    bot = TelegramBot.objects.filter(inbox_id=inbox_id).first()
    given = request.headers.get(SECRET_HEADER, "")
    if bot is None or not hmac.compare_digest(given.encode(), bot.webhook_secret.encode()):
        return error_json("forbidden", _("The secret token is missing or wrong."), 403)
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError):
        return error_json("malformed_json", _("The body is not JSON."), 400)
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return error_json("invalid_update", _("The body is not a Telegram update."), 400)
    inbound.update_receive(bot=bot, payload=payload)
    return JsonResponse({"ok": True})
