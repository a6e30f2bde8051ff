"""`/files/<token>/<name>`: an attachment, for whoever holds a valid link (`attachment_links`).

Nothing served here runs as a page of the helpdesk: the type is the one found from the content
(text as `text/plain`), `nosniff` stops the browser guessing another, a sandboxing policy
allows no script, and anything but images, audio and video is a download.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from chats.attachment_links import attachment_id_of
from chats.models import Attachment, AttachmentKind

INLINE_KINDS = {AttachmentKind.IMAGE, AttachmentKind.AUDIO, AttachmentKind.VIDEO}


@require_safe
def attachment_file(request: HttpRequest, token: str, name: str) -> FileResponse:
    attachment_id = attachment_id_of(token)
    attachment = (
        Attachment.objects.filter(pk=attachment_id).first() if attachment_id is not None else None
    )
    if attachment is None:
        raise Http404("no such file, or the link has expired")
    try:
        handle = attachment.file.open("rb")
    except OSError as missing:
        raise Http404("the file is gone") from missing
    text = attachment.content_type == "text/plain"
    response = FileResponse(
        handle,
        content_type="text/plain; charset=utf-8" if text else attachment.content_type,
        as_attachment=attachment.kind not in INLINE_KINDS,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    # The widget shows images on the customer's site, another origin.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response
