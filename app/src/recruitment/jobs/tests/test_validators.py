from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings

from recruitment.jobs.validators import (
    detect_document_kind,
    validate_attachment,
    validate_photo,
)
from recruitment.testing.factories import docx_bytes, pdf_bytes, png_bytes


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class PhotoValidatorTests(SimpleTestCase):
    def test_valid_png(self):
        validate_photo(upload("me.png", png_bytes(), "image/png"))

    def test_text_renamed_to_png(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_photo(upload("me.png", b"not an image at all", "image/png"))
        self.assertEqual(ctx.exception.code, "invalid_image")

    def test_truncated_png(self):
        with self.assertRaises(ValidationError):
            validate_photo(upload("me.png", png_bytes()[:40], "image/png"))

    @override_settings(RECRUITMENT_MAX_PHOTO_BYTES=100)
    def test_too_large(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_photo(upload("me.png", png_bytes((200, 200)), "image/png"))
        self.assertEqual(ctx.exception.code, "file_too_large")

    def test_empty(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_photo(upload("me.png", b""))
        self.assertEqual(ctx.exception.code, "empty_file")


class AttachmentValidatorTests(SimpleTestCase):
    def test_pdf(self):
        validate_attachment(upload("cv.pdf", pdf_bytes()))
        self.assertEqual(detect_document_kind(upload("x", pdf_bytes())), "pdf")

    def test_docx(self):
        validate_attachment(upload("cv.docx", docx_bytes()))
        self.assertEqual(detect_document_kind(upload("x", docx_bytes())), "docx")

    def test_zip_without_word_document(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_attachment(upload("cv.docx", docx_bytes(with_document=False)))
        self.assertEqual(ctx.exception.code, "invalid_document")

    def test_executable_named_pdf(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_attachment(upload("cv.pdf", b"MZ\x90\x00" + b"\x00" * 100))
        self.assertEqual(ctx.exception.code, "invalid_document")

    def test_broken_zip(self):
        with self.assertRaises(ValidationError):
            validate_attachment(upload("cv.docx", b"PK\x03\x04garbage"))

    def test_extension_mismatch(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_attachment(upload("cv.docx", pdf_bytes()))
        self.assertEqual(ctx.exception.code, "extension_mismatch")

    @override_settings(RECRUITMENT_MAX_ATTACHMENT_BYTES=10)
    def test_too_large(self):
        with self.assertRaises(ValidationError) as ctx:
            validate_attachment(upload("cv.pdf", pdf_bytes()))
        self.assertEqual(ctx.exception.code, "file_too_large")
