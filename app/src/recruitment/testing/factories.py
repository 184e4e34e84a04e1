"""Small builders shared by the test suites (no third-party factory library)."""

from __future__ import annotations

import io
import itertools
import zipfile

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

_counter = itertools.count(1)


def png_bytes(size: tuple[int, int] = (32, 32), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx_bytes(with_document: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def photo_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_upload(name: str = "resume.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def make_user(
    username: str | None = None,
    *,
    group: str | None = None,
    staff: bool = False,
    password: str = "pw-Secret-123",
    **extra,
):
    User = get_user_model()
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(
        username=username,
        password=password,
        email=f"{username}@example.com",
        is_staff=staff,
        **extra,
    )
    if group:
        from recruitment.interview.permissions import ensure_groups

        groups = ensure_groups()
        user.groups.add(groups.get(group) or Group.objects.get(name=group))
    return user


def make_job(**fields):
    from recruitment.jobs.models import City, Job, JobType

    n = next(_counter)
    defaults = {
        "job_type": JobType.TECHNOLOGY,
        "title": f"Backend engineer {n}",
        "city": City.BEIJING,
        "responsibilities": "Build and run services.",
        "requirements": "Python, Django.",
    }
    defaults.update(fields)
    return Job.objects.create(**defaults)


def resume_data(**overrides) -> dict:
    data = {
        "name": "Li Lei",
        "phone": f"1390000{next(_counter):04d}",
        "email": "lilei@example.com",
        "city": "Beijing",
        "gender": "male",
        "born_address": "Hunan",
        "bachelor_school": "Peking University",
        "master_school": "",
        "doctor_school": "",
        "major": "Computer Science",
        "degree": "bachelor",
        "candidate_introduction": "Hello",
        "work_experience": "3 years of Django",
        "project_experience": "A recruitment site",
    }
    data.update(overrides)
    return data


def make_resume(job, applicant, **overrides):
    from recruitment.jobs.models import Resume

    data = resume_data(**overrides)
    resume = Resume(job=job, applicant=applicant, **data)
    resume.photo.save("photo.png", photo_upload(), save=False)
    resume.attachment.save("resume.pdf", pdf_upload(), save=False)
    resume.save()
    return resume


def make_candidate(**fields):
    from recruitment.interview.models import Candidate

    n = next(_counter)
    defaults = {"name": f"Candidate {n}", "phone": f"1380000{n:04d}", "city": "Beijing"}
    defaults.update(fields)
    return Candidate.objects.create(**defaults)
