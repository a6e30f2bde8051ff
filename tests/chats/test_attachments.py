"""Attachments: uploaded by operators and visitors, carried by messages, fetched by whoever may
see them through signed, expiring links, and never served as a page of the helpdesk."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from chats.attachment_links import attachment_id_of, file_path
from chats.models import Attachment, Message
from chats.services.attachments import attachments_unclaimed_delete
from operators.models import Role
from tests.factories import InboxFactory, visitor_for
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

UPLOAD = "/api/v1/attachments"
WIDGET_UPLOAD = "/api/widget/v1/attachments"
WIDGET_MESSAGES = "/api/widget/v1/messages"


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to view
    gps = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(client, data: bytes, name: str, path: str = UPLOAD):
    return client.post(path, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def fetch(url: str):
    return Client().get(url)


def send_with_files(client, conversation_id: int, ids: list[int], **extra):
    return client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"attachments": ids, **extra},
        format="json",
    )


# --- what is accepted, and as what -------------------------------------------------------------


def test_an_image_is_accepted_with_its_size_and_shown_inline(client_for, agent):
    answer = upload(client_for(agent), png_bytes(40, 30), "screenshot.png")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body | {"id": 0, "url": ""} == {
        "id": 0,
        "name": "screenshot.png",
        "content_type": "image/png",
        "kind": "image",
        "size": body["size"],
        "width": 40,
        "height": 30,
        "url": "",
    }
    served = fetch(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).size == (40, 30)


def test_a_photo_loses_its_location_and_is_turned_upright(client_for, agent):
    answer = upload(client_for(agent), jpeg_with_location(), "IMG_0001.JPG")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["content_type"], body["width"], body["height"]) == ("image/jpeg", 48, 64)
    stored = Image.open(Attachment.objects.get(pk=body["id"]).file.open("rb"))
    assert not stored.getexif(), "camera metadata (and the GPS position) were dropped"


def test_a_file_too_large_is_refused(client_for, agent, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000

    answer = upload(client_for(agent), b"x" * 1001, "notes.txt")

    assert_error(answer, 413, "attachment_too_large")
    assert not Attachment.objects.exists()


def test_a_program_named_as_a_photo_is_refused(client_for, agent):
    windows_program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4

    answer = upload(client_for(agent), windows_program, "holiday.jpg")

    assert_error(answer, 415, "attachment_type_not_allowed")
    assert not Attachment.objects.exists()


def test_an_image_named_as_a_document_is_an_image(client_for, agent):
    answer = upload(client_for(agent), png_bytes(), "contract.pdf")

    assert answer.json()["content_type"] == "image/png"
    assert answer.json()["name"] == "contract.pdf.png"


def test_an_html_page_is_kept_as_text_and_never_served_as_html(client_for, agent):
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"

    answer = upload(client_for(agent), page, "invoice.html")

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["content_type"], body["kind"], body["name"]) == (
        "text/plain",
        "file",
        "invoice.html.txt",
    )
    served = fetch(body["url"])
    assert served["Content-Type"] == "text/plain; charset=utf-8"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_pdf_is_offered_as_a_download(client_for, agent):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

    body = upload(client_for(agent), pdf, "offer.pdf").json()

    assert (body["content_type"], body["kind"]) == ("application/pdf", "file")
    served = fetch(body["url"])
    assert served["Content-Disposition"] == 'attachment; filename="offer.pdf"'


def test_a_file_name_with_folders_and_control_characters_is_cleaned(client_for, agent):
    body = upload(client_for(agent), b"plain words", "..\\..\\etc/pass\x07wd.txt").json()

    assert body["name"] == "passwd.txt"


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({}, 400, "invalid_file"),
        ({"file": "not a file"}, 400, "invalid_file"),
        ({"file": SimpleUploadedFile("empty.txt", b"")}, 400, "attachment_empty"),
    ],
)
def test_an_upload_without_one_file_is_refused(client_for, agent, form, status, code):
    answer = client_for(agent).post(UPLOAD, form, format="multipart")

    assert_error(answer, status, code)


def test_an_upload_as_json_is_refused(client_for, agent):
    answer = client_for(agent).post(UPLOAD, {"file": "aGVsbG8="}, format="json")

    assert_error(answer, 415, "unsupported_media_type")


def test_uploads_need_a_signed_in_operator_or_a_visitor(api_client):
    assert_error(upload(api_client, png_bytes(), "a.png"), 401, "not_authenticated")
    assert_error(upload(api_client, png_bytes(), "a.png", WIDGET_UPLOAD), 401, "not_authenticated")


# --- carried by messages ----------------------------------------------------------------------


def test_a_visitor_sends_a_photo_without_words_and_the_operator_sees_it(
    inbox, agent, client_for, widget_client_for
):
    _visitor, token = visitor_for(inbox)
    widget = widget_client_for(token)
    photo = upload(widget, png_bytes(), "broken-box.png", WIDGET_UPLOAD).json()

    sent = widget.post(WIDGET_MESSAGES, {"attachments": [photo["id"]]}, format="json")

    assert sent.status_code == 201, sent.content
    message = sent.json()
    assert message["body"] == ""
    assert [item["id"] for item in message["attachments"]] == [photo["id"]]
    listed = client_for(agent).get(f"/api/v1/conversations/{message['conversation']}/messages")
    [seen] = listed.json()["results"]
    assert seen["attachments"][0]["name"] == "broken-box.png"
    assert fetch(seen["attachments"][0]["url"]).status_code == 200


def test_an_operator_replies_with_a_file_and_words(conversation, agent, client_for):
    client = client_for(agent)
    offer = upload(client, b"Price list\n", "prices.txt").json()

    sent = send_with_files(client, conversation.pk, [offer["id"]], body="Here it is")

    assert sent.status_code == 201, sent.content
    assert sent.json()["body"] == "Here it is"
    attachment = Attachment.objects.get(pk=offer["id"])
    assert (attachment.message_id, attachment.conversation_id) == (
        sent.json()["id"],
        conversation.pk,
    )


def test_a_repeated_send_with_its_files_is_stored_once(conversation, agent, client_for):
    client = client_for(agent)
    offer = upload(client, png_bytes(), "a.png").json()

    first = send_with_files(client, conversation.pk, [offer["id"]], client_id="c-1")
    again = send_with_files(client, conversation.pk, [offer["id"]], client_id="c-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_a_file_goes_with_one_message_only(conversation, agent, client_for):
    client = client_for(agent)
    offer = upload(client, png_bytes(), "a.png").json()
    send_with_files(client, conversation.pk, [offer["id"]])

    again = send_with_files(client, conversation.pk, [offer["id"]], body="once more")

    assert_error(again, 409, "attachment_in_use")
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_nobody_sends_someone_elses_upload(conversation, agent, make_operator, team, client_for):
    colleague = make_operator(Role.AGENT, [team])
    theirs = upload(client_for(colleague), png_bytes(), "a.png").json()

    answer = send_with_files(client_for(agent), conversation.pk, [theirs["id"]])

    assert_error(answer, 404, "attachment_not_found")
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("attachments", "code"),
    [
        ("7", "invalid_attachments"),
        ([True], "invalid_attachments"),
        ([0], "invalid_attachments"),
        ([3, 3], "invalid_attachments"),
        (list(range(1, 12)), "too_many_attachments"),
    ],
)
def test_malformed_attachment_lists_are_refused(conversation, agent, client_for, attachments, code):
    answer = send_with_files(client_for(agent), conversation.pk, attachments)

    assert_error(answer, 400, code)


def test_a_message_without_words_or_files_is_still_refused(conversation, agent, client_for):
    answer = send_with_files(client_for(agent), conversation.pk, [])

    assert_error(answer, 400, "invalid")


# --- who may fetch ---------------------------------------------------------------------------


def visitor_photo(inbox, widget_client_for) -> dict:
    _visitor, token = visitor_for(inbox)
    widget = widget_client_for(token)
    photo = upload(widget, png_bytes(), "mine.png", WIDGET_UPLOAD).json()
    widget.post(WIDGET_MESSAGES, {"attachments": [photo["id"]]}, format="json")
    return photo


def test_an_operator_of_another_team_finds_no_file(
    inbox, make_operator, other_team, client_for, widget_client_for, agent
):
    photo = visitor_photo(inbox, widget_client_for)
    stranger = make_operator(Role.AGENT, [other_team])

    assert client_for(agent).get(f"{UPLOAD}/{photo['id']}").status_code == 200
    assert_error(client_for(stranger).get(f"{UPLOAD}/{photo['id']}"), 404, "not_found")


def test_another_visitor_finds_no_file(inbox, widget_client_for):
    photo = visitor_photo(inbox, widget_client_for)
    _other, other_token = visitor_for(inbox)

    answer = widget_client_for(other_token).get(f"{WIDGET_UPLOAD}/{photo['id']}")

    assert_error(answer, 404, "not_found")


def test_an_upload_is_its_uploaders_alone_until_sent(agent, make_operator, team, client_for):
    colleague = make_operator(Role.AGENT, [team])
    draft = upload(client_for(agent), png_bytes(), "a.png").json()

    assert client_for(agent).get(f"{UPLOAD}/{draft['id']}").status_code == 200
    assert_error(client_for(colleague).get(f"{UPLOAD}/{draft['id']}"), 404, "not_found")


def test_the_visitor_never_gets_the_file_of_a_private_note(
    conversation, visitor, agent, client_for, widget_client_for
):
    client = client_for(agent)
    internal = upload(client, b"internal price sheet", "margins.txt").json()
    send_with_files(client, conversation.pk, [internal["id"]], private=True)

    answer = widget_client_for(visitor[1]).get(f"{WIDGET_UPLOAD}/{internal['id']}")

    assert_error(answer, 404, "not_found")


def test_a_link_stops_working_when_it_expires(client_for, agent, settings):
    body = upload(client_for(agent), png_bytes(), "a.png").json()
    token = body["url"].split("/")[2]

    assert attachment_id_of(token) == body["id"]
    assert attachment_id_of(token, now=time.time() + settings.ATTACHMENT_URL_TTL + 3601) is None
    expired = file_path(body["id"], "a.png", now=time.time() - settings.ATTACHMENT_URL_TTL - 3601)
    assert fetch(expired).status_code == 404


def test_a_forged_link_finds_nothing(client_for, agent):
    body = upload(client_for(agent), png_bytes(), "a.png").json()
    token = body["url"].split("/")[2]
    forged = token.replace(f"{body['id']}.", f"{body['id'] + 1}.", 1)

    assert fetch(f"/files/{forged}/a.png").status_code == 404
    assert fetch("/files/garbage/a.png").status_code == 404


def test_uploads_no_message_claimed_are_deleted_after_a_day(
    conversation, agent, client_for, settings
):
    client = client_for(agent)
    abandoned = Attachment.objects.get(pk=upload(client, png_bytes(), "a.png").json()["id"])
    sent = upload(client, png_bytes(), "b.png").json()
    send_with_files(client, conversation.pk, [sent["id"]])
    storage, name = abandoned.file.storage, abandoned.file.name

    later = timezone.now() + timedelta(seconds=settings.ATTACHMENT_UNCLAIMED_TTL + 1)
    assert attachments_unclaimed_delete(now=later) == 1

    assert list(Attachment.objects.values_list("pk", flat=True)) == [sent["id"]]
    assert not storage.exists(name)


def test_a_widget_upload_from_a_site_not_allowed_is_refused(team, widget_client_for):
    inbox = InboxFactory(team=team, allowed_origins=["https://shop.example.com"])
    _visitor, token = visitor_for(inbox)

    refused = upload(
        widget_client_for(token, "https://evil.example"), png_bytes(), "a.png", WIDGET_UPLOAD
    )

    assert_error(refused, 403, "origin_not_allowed")
    assert not Attachment.objects.exists()
