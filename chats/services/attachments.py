"""Attachments: uploaded first, then claimed by the message that carries them.

An upload is checked on its content (`chats.attachment_types`) and kept in Django's default
storage under a random name. Until a message claims it, only its uploader may use or fetch it;
a message claims its files in the transaction that stores it, so a file belongs to one message
and a failed send leaves it free for the resend. Uploads no message claimed are deleted after
`ATTACHMENT_UNCLAIMED_TTL` (`attachments_unclaimed_delete`, from beat).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import audience
from chats.attachment_types import check_content, clean_name
from chats.models import Attachment, Contact, Message, TelegramPost, Visitor
from chats.services.authors import Author
from helpdesk.body_limit import too_large_message
from helpdesk.errors import Conflict, NotFound, ServiceError
from operators.models import Operator

logger = logging.getLogger(__name__)


def too_large() -> ServiceError:
    """The same words as the refusal of a body too large to read (`helpdesk.body_limit`)."""
    return ServiceError(
        "attachment_too_large", too_large_message("/api/v1/attachments"), status=413
    )


def attachment_upload(*, author: Author, upload: UploadedFile[bytes]) -> Attachment:
    """Store a file for `author` to send: 413 over the size limit, 415 of a type not allowed."""
    if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise too_large()
    data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise too_large()
    return attachment_store(author=author, data=data, name=upload.name or "")


def attachment_store(*, author: Author, data: bytes, name: str) -> Attachment:
    """Store a file's bytes as `author`'s upload (a connector's media come this way too):
    413 over the size limit, 415 of a type not allowed."""
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise too_large()
    checked = check_content(data)
    attachment = Attachment(
        name=clean_name(name, checked.content_type),
        content_type=checked.content_type,
        kind=checked.kind,
        size=len(checked.content),
        width=checked.width,
        height=checked.height,
        sender_key=author.sender_key,
    )
    attachment.file.save("upload", ContentFile(checked.content), save=False)
    attachment.save()
    return attachment


def attachment_snapshot(attachment: Attachment) -> dict[str, Any]:
    """What a message keeps of each of its files (and clients get, with a link)."""
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "kind": attachment.kind,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
    }


def clean_attachment_ids(value: Any) -> list[int]:
    """A message's `attachments`: a list of distinct upload ids, at most
    `ATTACHMENTS_PER_MESSAGE`."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in value
    ):
        raise ServiceError("invalid_attachments", _("attachments must be a list of file ids."))
    if len(set(value)) != len(value):
        raise ServiceError("invalid_attachments", _("A file is attached twice."))
    if len(value) > settings.ATTACHMENTS_PER_MESSAGE:
        raise ServiceError(
            "too_many_attachments",
            _("A message carries at most %(limit)s files.")
            % {"limit": settings.ATTACHMENTS_PER_MESSAGE},
        )
    return value


def attachments_lock(*, author: Author, ids: Sequence[int]) -> list[Attachment]:
    """The author's uploads named by `ids`, locked, in that order (call in a transaction);
    404 when one is unknown or someone else's."""
    found = {
        row.pk: row
        for row in Attachment.objects.select_for_update().filter(
            pk__in=ids, sender_key=author.sender_key
        )
    }
    if len(found) != len(ids):
        raise NotFound("attachment_not_found", _("Attachment not found."))
    return [found[pk] for pk in ids]


def attachments_claim(*, attachments: Sequence[Attachment], message: Message) -> None:
    """Give the files to the message just stored (in its transaction); 409 when one already
    belongs to another message."""
    claimed = Attachment.objects.filter(
        pk__in=[row.pk for row in attachments], message__isnull=True
    ).update(message=message, conversation_id=message.conversation_id)
    if claimed != len(attachments):
        raise Conflict("attachment_in_use", _("A file was already sent with another message."))


def attachment_for_operator(*, operator: Operator, attachment_id: int) -> Attachment:
    """An attachment the operator may fetch: their own upload, or a file of a conversation they
    may see; else 404, as for one that does not exist."""
    found = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(
            Q(message__isnull=True, sender_key=Author.of_operator(operator).sender_key)
            | Q(Q(message__isnull=False) & audience.visible_to(operator, prefix="conversation__"))
        )
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("Attachment not found."))
    return found


def attachment_for_visitor(*, visitor: Visitor, attachment_id: int) -> Attachment:
    """An attachment the visitor may fetch: their own upload, or a file of a message they may
    see (of their conversation in this inbox, not a private note)."""
    found = (
        Attachment.objects.filter(pk=attachment_id)
        .filter(
            Q(message__isnull=True, sender_key=f"c{visitor.contact_id}")
            | Q(
                message__private=False,
                conversation__contact_id=visitor.contact_id,
                conversation__inbox_id=visitor.inbox_id,
            )
        )
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("Attachment not found."))
    return found


def attachments_unclaimed_delete(*, now: Any = None) -> int:
    """Delete the uploads no message claimed in time (and no avatar or post holds), with their
    files; answers how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.ATTACHMENT_UNCLAIMED_TTL)
    stale = list(
        Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)
        .exclude(pk__in=Contact.objects.filter(avatar__isnull=False).values("avatar"))
        .exclude(pk__in=TelegramPost.objects.filter(photo__isnull=False).values("photo"))[:1000]
    )
    for attachment in stale:
        attachment_delete(attachment=attachment)
    return len(stale)


def attachment_delete(*, attachment: Attachment) -> None:
    name = attachment.file.name
    attachment.delete()
    if not name:
        return
    try:
        attachment.file.storage.delete(name)
    except OSError:  # the row is gone; a file left behind is only disk
        logger.warning("could not delete the file %s", name, exc_info=True)
