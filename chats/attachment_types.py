"""What a file is, from its bytes: never from its name or the type its sender declared.

Images are opened with Pillow and re-encoded (metadata such as a photo's GPS position dropped,
the camera's rotation applied); animated images are kept as they are once their first frame
decodes. Other files are recognised by their signature (puremagic) and must be of an allowed
type; text that is valid UTF-8 is plain text, whatever markup it holds (an HTML page is served
as text, never as HTML). Anything else is refused.
"""

from __future__ import annotations

import io
import mimetypes
import unicodedata
import zipfile
from dataclasses import dataclass

import puremagic
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chats.models import AttachmentKind
from helpdesk.errors import ServiceError

# An image larger than this (in pixels) is refused before it is decoded: a decompression bomb
# fits a 10 MiB upload easily.
MAX_IMAGE_PIXELS = 50_000_000

# Pillow's format name → (the type served, whether it is re-encoded in that format).
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "JPEG"),
    "PNG": ("image/png", "PNG"),
    "GIF": ("image/gif", "GIF"),
    "WEBP": ("image/webp", "WEBP"),
    "BMP": ("image/png", "PNG"),
    "TIFF": ("image/png", "PNG"),
}

OTHER_TYPES = {
    "application/pdf": AttachmentKind.FILE,
    "application/zip": AttachmentKind.FILE,
    "application/gzip": AttachmentKind.FILE,
    "application/x-7z-compressed": AttachmentKind.FILE,
    "application/vnd.rar": AttachmentKind.FILE,
    "application/msword": AttachmentKind.FILE,
    "application/vnd.ms-excel": AttachmentKind.FILE,
    "application/vnd.ms-powerpoint": AttachmentKind.FILE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        AttachmentKind.FILE
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": AttachmentKind.FILE,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        AttachmentKind.FILE
    ),
    "application/vnd.oasis.opendocument.text": AttachmentKind.FILE,
    "application/vnd.oasis.opendocument.spreadsheet": AttachmentKind.FILE,
    "application/vnd.oasis.opendocument.presentation": AttachmentKind.FILE,
    "text/plain": AttachmentKind.FILE,
    "audio/mpeg": AttachmentKind.AUDIO,
    "audio/ogg": AttachmentKind.AUDIO,
    "audio/wav": AttachmentKind.AUDIO,
    "audio/mp4": AttachmentKind.AUDIO,
    "video/mp4": AttachmentKind.VIDEO,
    "video/webm": AttachmentKind.VIDEO,
    "video/quicktime": AttachmentKind.VIDEO,
}

# Names puremagic gives that mean one of the types above.
SYNONYMS = {
    "application/ogg": "audio/ogg",
    "audio/wave": "audio/wav",
    "audio/x-wav": "audio/wav",
    "application/x-gzip": "application/gzip",
    "application/x-rar-compressed": "application/vnd.rar",
    "audio/x-m4a": "audio/mp4",
}

# The part of a zip file that says which document it is.
ZIP_MEMBERS = (
    (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
)

MAX_NAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class Checked:
    """A file the product accepts: what to store and how to describe it."""

    content: bytes
    content_type: str
    kind: str
    width: int | None = None
    height: int | None = None


def not_allowed() -> ServiceError:
    return ServiceError(
        "attachment_type_not_allowed",
        _("Files of this type cannot be sent. Send an image, a document, audio or video."),
        status=415,
    )


def check_content(data: bytes) -> Checked:
    """The file as it will be stored, or a `ServiceError` saying why it is refused."""
    if not data:
        raise ServiceError("attachment_empty", _("The file is empty."))
    image = _image(data)
    if image is not None:
        return image
    content_type = _signature_type(data)
    if content_type is None and _is_text(data):
        content_type = "text/plain"
    if content_type is None:
        raise not_allowed()
    return Checked(content=data, content_type=content_type, kind=OTHER_TYPES[content_type])


def _image(data: bytes) -> Checked | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in IMAGE_FORMATS:
                return None
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ServiceError(
                    "attachment_too_large",
                    _("The image is larger than %(limit)s megapixels.")
                    % {"limit": MAX_IMAGE_PIXELS // 1_000_000},
                    status=413,
                )
            content_type, encode_as = IMAGE_FORMATS[image.format]
            if getattr(image, "is_animated", False):
                image.load()  # the first frame decodes: a real image, kept as sent
                return Checked(data, content_type, AttachmentKind.IMAGE, width, height)
            return _reencoded(image, content_type, encode_as)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None


def _reencoded(image: Image.Image, content_type: str, encode_as: str) -> Checked:
    image.load()
    upright = ImageOps.exif_transpose(image)
    if encode_as == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options: dict[str, object] = {}
    if encode_as in ("JPEG", "WEBP"):
        options["quality"] = 90
    icc_profile = image.info.get("icc_profile")
    if icc_profile and encode_as in ("JPEG", "PNG", "WEBP"):
        options["icc_profile"] = icc_profile  # colours as the camera meant them; nothing else
    upright.save(out, format=encode_as, **options)
    return Checked(
        out.getvalue(), content_type, AttachmentKind.IMAGE, upright.width, upright.height
    )


def _signature_type(data: bytes) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    try:
        matches = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        content_type = SYNONYMS.get(match.mime_type, match.mime_type)
        if content_type in OTHER_TYPES and content_type != "text/plain":
            return content_type
    return None


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in OTHER_TYPES:
                    return declared
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return None
    for member, content_type in ZIP_MEMBERS:
        if member in names:
            return content_type
    return "application/zip"


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(
        unicodedata.category(char) == "Cc" and char not in "\t\n\r\f" for char in text[:65536]
    )


def clean_name(name: str, content_type: str) -> str:
    """The sender's file name, safe to show and to offer for download: no folders or control
    characters, at most 200 characters, ending as its content type says (`page.html`, sent as
    text, is offered as `page.html.txt`)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip(" .")
    base = base or "file"
    guessed, _encoding = mimetypes.guess_type(base)
    keeps_its_name = guessed == content_type or (
        content_type == "text/plain"
        and (guessed is None or (guessed.startswith("text/") and guessed != "text/html"))
    )
    if not keeps_its_name:
        base += _extension(content_type)
    if len(base) > MAX_NAME_CHARS:
        stem, dot, extension = base.rpartition(".")
        keep = MAX_NAME_CHARS - len(extension) - 1
        base = stem[:keep] + dot + extension if dot and keep > 0 else base[:MAX_NAME_CHARS]
    return base


def _extension(content_type: str) -> str:
    known = {"text/plain": ".txt", "image/jpeg": ".jpg", "audio/ogg": ".ogg", "audio/mp4": ".m4a"}
    return known.get(content_type) or mimetypes.guess_extension(content_type) or ""
