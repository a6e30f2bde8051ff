"""Uploading files (`POST /api/v1/attachments`, `POST /api/widget/v1/attachments`, multipart
with one `file`) and asking for one (`GET .../attachments/{id}`): the answer carries a fresh
signed link. A message then carries uploads by their ids (`"attachments": [id, ...]`)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from chats.api.widget import VisitorView
from chats.attachment_links import attachments_data
from chats.models import Attachment
from chats.serializers import AttachmentSerializer
from chats.services import attachments
from chats.services.attachments import attachment_snapshot
from chats.services.authors import Author
from helpdesk.api_errors import ApiError
from helpdesk.openapi import ErrorSerializer
from operators.api.views import OperatorApiView


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="at most ATTACHMENT_MAX_BYTES (10 MiB by default)")


UPLOAD_RESPONSES = {
    201: AttachmentSerializer,
    400: ErrorSerializer,
    413: ErrorSerializer,  # attachment_too_large, too_large
    415: ErrorSerializer,  # attachment_type_not_allowed
}


def attachment_data(attachment: Attachment) -> dict[str, Any]:
    [data] = attachments_data([attachment_snapshot(attachment)])
    return data


def uploaded_file(request: Request) -> UploadedFile:
    files = request.FILES.getlist("file")
    if len(files) != 1:
        raise ApiError("invalid_file", _('Send one file, as the form field "file".'), 400)
    upload = files[0]
    assert isinstance(upload, UploadedFile)
    return upload


class OperatorAttachmentsView(OperatorApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=UPLOAD_RESPONSES)
    def post(self, request: Request) -> Response:
        attachment = attachments.attachment_upload(
            author=Author.of_operator(self.operator), upload=uploaded_file(request)
        )
        return Response(attachment_data(attachment), status=201)


class OperatorAttachmentView(OperatorApiView):
    @extend_schema(responses={200: AttachmentSerializer, 404: ErrorSerializer})
    def get(self, request: Request, attachment_id: int) -> Response:
        attachment = attachments.attachment_for_operator(
            operator=self.operator, attachment_id=attachment_id
        )
        return Response(attachment_data(attachment))


class VisitorAttachmentsView(VisitorView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses=UPLOAD_RESPONSES)
    def post(self, request: Request) -> Response:
        attachment = attachments.attachment_upload(
            author=Author.of_contact(self.visitor.contact), upload=uploaded_file(request)
        )
        return Response(attachment_data(attachment), status=201)


class VisitorAttachmentView(VisitorView):
    @extend_schema(responses={200: AttachmentSerializer, 404: ErrorSerializer})
    def get(self, request: Request, attachment_id: int) -> Response:
        attachment = attachments.attachment_for_visitor(
            visitor=self.visitor, attachment_id=attachment_id
        )
        return Response(attachment_data(attachment))
