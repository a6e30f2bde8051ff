"""Files over the sockets: a message frame carries upload ids, the ack and the other side's
`message` frame carry the files with their links; a visitor never gets a private note's file."""

from __future__ import annotations

import pytest

from chats.models import Attachment
from chats.services.attachments import attachment_store
from chats.services.authors import Author
from tests.chats.test_attachments import png_bytes
from tests.ws_helpers import assert_no_frame, on_db, receive_error, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def uploaded(author: Author, name: str = "photo.png") -> Attachment:
    return await on_db(lambda: attachment_store(author=author, data=png_bytes(), name=name))


async def test_a_visitor_sends_a_photo_and_the_console_gets_it_live(
    ws, inbox, visitor, conversation, agent_token
):
    console = await ws.connect_console(agent_token)
    widget = await ws.connect_widget(inbox, visitor[1])
    photo = await uploaded(Author.of_contact(visitor[0].contact))

    await widget.send_json_to({"type": "message", "client_id": "p-1", "attachments": [photo.pk]})

    ack = await receive_until(widget, "ack")
    assert ack["message"]["body"] == ""
    assert [item["id"] for item in ack["message"]["attachments"]] == [photo.pk]
    live = await receive_until(console, "message")
    [item] = live["message"]["attachments"]
    assert (item["name"], item["kind"], item["url"].startswith("/files/")) == (
        "photo.png",
        "image",
        True,
    )


async def test_an_operators_note_with_a_file_never_reaches_the_widget(
    ws, inbox, visitor, conversation, agent, agent_token
):
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)
    sheet = await uploaded(Author.of_operator(agent), "margins.png")

    await console.send_json_to(
        {
            "type": "message",
            "conversation": conversation.pk,
            "client_id": "n-1",
            "private": True,
            "attachments": [sheet.pk],
        }
    )

    ack = await receive_until(console, "ack")
    assert ack["message"]["private"] is True and len(ack["message"]["attachments"]) == 1
    await assert_no_frame(widget)


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"attachments": "1"}, "invalid_frame"),
        ({"attachments": [0]}, "invalid_attachments"),
        ({"attachments": [987654321]}, "attachment_not_found"),
        ({"attachments": []}, "invalid_frame"),
    ],
)
async def test_bad_attachment_lists_in_a_frame_get_an_error_and_store_nothing(
    ws, inbox, visitor, conversation, extra, code
):
    widget = await ws.connect_widget(inbox, visitor[1])

    await widget.send_json_to({"type": "message", "client_id": "x-1", **extra})

    error = await receive_error(widget, code)
    assert error["client_id"] == "x-1"
    assert not await on_db(lambda: conversation.messages.exists())


async def test_a_visitor_cannot_send_an_operators_upload(ws, inbox, visitor, conversation, agent):
    widget = await ws.connect_widget(inbox, visitor[1])
    theirs = await uploaded(Author.of_operator(agent))

    await widget.send_json_to({"type": "message", "client_id": "s-1", "attachments": [theirs.pk]})

    await receive_error(widget, "attachment_not_found")
    assert await on_db(lambda: Attachment.objects.get(pk=theirs.pk).message_id) is None
