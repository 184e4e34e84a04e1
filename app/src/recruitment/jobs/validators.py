"""Upload validation by size and by real content (no libmagic).

- photo: Pillow must open and verify it, and it must be JPEG, PNG, GIF or WEBP;
- attachment: a PDF (starts with ``%PDF-``) or a DOCX (a zip holding ``word/document.xml``).
"""

import contextlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
MAX_IMAGE_PIXELS = 40_000_000


def _check_size(upload, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty_file")


def _rewind(upload) -> None:
    with contextlib.suppress(AttributeError, ValueError, OSError):
        upload.seek(0)


def _is_uncommitted(upload) -> bool:
    """Only freshly uploaded files are inspected; stored ones were checked on upload."""
    committed = getattr(upload, "_committed", None)
    return committed is None or committed is False


@deconstructible
class PhotoValidator:
    def __call__(self, upload) -> None:
        if not _is_uncommitted(upload):
            return
        _check_size(upload, settings.RECRUITMENT_MAX_PHOTO_BYTES)
        _rewind(upload)
        try:
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise ValidationError(
                _("Upload a valid image. The file is not an image or is corrupted."),
                code="invalid_image",
            ) from None
        finally:
            _rewind(upload)
        if image_format not in ALLOWED_IMAGE_FORMATS:
            raise ValidationError(
                _("Unsupported image format %(format)s; use JPEG, PNG, GIF or WEBP."),
                code="invalid_image_format",
                params={"format": image_format},
            )
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(_("The image has too many pixels."), code="image_too_big")

    def __eq__(self, other) -> bool:
        return isinstance(other, PhotoValidator)


def detect_document_kind(upload) -> str | None:
    """Return "pdf" or "docx" from the file's bytes, or None."""
    _rewind(upload)
    head = upload.read(8)
    _rewind(upload)
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            _rewind(upload)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


@deconstructible
class AttachmentValidator:
    def __call__(self, upload) -> None:
        if not _is_uncommitted(upload):
            return
        _check_size(upload, settings.RECRUITMENT_MAX_ATTACHMENT_BYTES)
        kind = detect_document_kind(upload)
        if kind is None:
            raise ValidationError(
                _("Upload a PDF or a DOCX document; this file is neither."),
                code="invalid_document",
            )
        name = (getattr(upload, "name", "") or "").lower()
        if not name.endswith(f".{kind}"):
            raise ValidationError(
                _("The file content is %(kind)s but its name does not end in .%(ext)s."),
                code="extension_mismatch",
                params={"kind": kind.upper(), "ext": kind},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, AttachmentValidator)


validate_photo = PhotoValidator()
validate_attachment = AttachmentValidator()
