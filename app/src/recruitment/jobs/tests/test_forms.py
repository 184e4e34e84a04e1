from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from django.utils import translation

from recruitment.jobs.forms import ResumeForm
from recruitment.testing.factories import pdf_upload, photo_upload, resume_data


class ResumeFormTests(SimpleTestCase):
    def test_valid(self):
        form = ResumeForm(resume_data(), {"photo": photo_upload(), "attachment": pdf_upload()})
        self.assertTrue(form.is_valid(), form.errors)

    def test_files_required(self):
        form = ResumeForm(resume_data(), {})
        self.assertFalse(form.is_valid())
        self.assertIn("photo", form.errors)
        self.assertIn("attachment", form.errors)

    def test_fake_image_gives_clear_error(self):
        fake = SimpleUploadedFile("photo.png", b"<?php echo 1; ?>", content_type="image/png")
        form = ResumeForm(resume_data(), {"photo": fake, "attachment": pdf_upload()})
        self.assertFalse(form.is_valid())
        self.assertIn("photo", form.errors)

    def test_fake_pdf_gives_clear_error(self):
        fake = SimpleUploadedFile("cv.pdf", b"just text", content_type="application/pdf")
        with translation.override("en"):
            form = ResumeForm(resume_data(), {"photo": photo_upload(), "attachment": fake})
            self.assertFalse(form.is_valid())
            self.assertEqual(
                form.errors["attachment"],
                ["Upload a PDF or a DOCX document; this file is neither."],
            )
        with translation.override("zh-hans"):
            fake.seek(0)
            form = ResumeForm(resume_data(), {"photo": photo_upload(), "attachment": fake})
            self.assertFalse(form.is_valid())
            self.assertEqual(
                form.errors["attachment"], ["请上传 PDF 或 DOCX 文档；该文件两者都不是。"]
            )

    def test_phone_validation(self):
        form = ResumeForm(
            resume_data(phone="call me"), {"photo": photo_upload(), "attachment": pdf_upload()}
        )
        self.assertFalse(form.is_valid())
        self.assertIn("phone", form.errors)

    def test_required_fields(self):
        form = ResumeForm({}, {})
        self.assertFalse(form.is_valid())
        for name in ("name", "phone", "email", "city", "degree"):
            self.assertIn(name, form.errors)
