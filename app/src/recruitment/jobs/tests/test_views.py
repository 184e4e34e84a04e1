from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from recruitment.interview.models import HR_GROUP, INTERVIEWER_GROUP
from recruitment.jobs.models import City, Job, Resume
from recruitment.testing.factories import (
    make_job,
    make_resume,
    make_user,
    pdf_upload,
    photo_upload,
    resume_data,
)


class JobListTests(TestCase):
    def test_lists_jobs_in_chinese_by_default(self):
        make_job(title="Python 工程师")
        response = self.client.get("/")
        self.assertContains(response, "Python 工程师")
        self.assertContains(response, "招聘职位")

    def test_english(self):
        make_job()
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Open positions")
        self.assertContains(response, "Beijing")

    def test_language_switch(self):
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get("/"), "Open positions")

    def test_soft_deleted_jobs_are_hidden(self):
        job = make_job(title="Gone")
        job.delete()
        self.assertNotContains(self.client.get("/"), "Gone")
        self.assertTrue(Job.all_objects.filter(pk=job.pk).exists())
        self.assertEqual(self.client.get(job.get_absolute_url()).status_code, 404)

    def test_filter_by_city(self):
        make_job(title="In Beijing", city=City.BEIJING)
        make_job(title="In Shanghai", city=City.SHANGHAI)
        response = self.client.get("/", {"city": City.SHANGHAI})
        self.assertContains(response, "In Shanghai")
        self.assertNotContains(response, "In Beijing")

    def test_query_count_does_not_grow_with_jobs(self):
        """COUNT + one SELECT of the short columns, for 3 jobs or 20 (no N+1)."""
        for _ in range(3):
            make_job()
        with self.assertNumQueries(2):
            self.client.get("/")
        for _ in range(17):
            make_job()
        with self.assertNumQueries(2):
            response = self.client.get("/")
        self.assertEqual(len(response.context["page_obj"]), 20)

    def test_list_defers_long_text(self):
        make_job()
        response = self.client.get("/")
        job = response.context["page_obj"][0]
        self.assertIn("responsibilities", job.get_deferred_fields())
        self.assertIn("requirements", job.get_deferred_fields())


class JobDetailTests(TestCase):
    def test_detail(self):
        job = make_job(responsibilities="Own the API")
        response = self.client.get(job.get_absolute_url())
        self.assertContains(response, "Own the API")
        self.assertContains(response, reverse("login"))

    def test_missing(self):
        self.assertEqual(self.client.get("/jobs/999999/").status_code, 404)


class ApplyTests(TestCase):
    def setUp(self):
        self.job = make_job()
        self.applicant = make_user("applicant")
        self.url = reverse("jobs:apply", args=[self.job.pk])

    def post(self, **overrides):
        data = resume_data(**overrides)
        data.setdefault("photo", photo_upload())
        data.setdefault("attachment", pdf_upload())
        return self.client.post(self.url, data)

    def test_login_required(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('login')}?next={self.url}")

    def test_submit_resume(self):
        self.client.force_login(self.applicant)
        response = self.post(phone="13912345678")
        resume = Resume.objects.get()
        self.assertRedirects(response, resume.get_absolute_url())
        self.assertEqual(resume.applicant, self.applicant)
        self.assertEqual(resume.job, self.job)
        self.assertTrue(resume.photo.name.endswith(".png"))
        self.assertTrue(resume.attachment.name.endswith(".pdf"))

    def test_second_submission_updates_the_first(self):
        self.client.force_login(self.applicant)
        self.post(name="First")
        self.post(name="Second")
        self.assertEqual(Resume.objects.count(), 1)
        self.assertEqual(Resume.objects.get().name, "Second")

    def test_bad_upload_shows_form_error(self):
        self.client.force_login(self.applicant)
        fake = SimpleUploadedFile("cv.pdf", b"MZ not a pdf", content_type="application/pdf")
        response = self.post(attachment=fake)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="error-attachment"')
        self.assertFalse(Resume.objects.exists())

    def test_docx_accepted(self):
        from recruitment.testing.factories import docx_bytes

        self.client.force_login(self.applicant)
        docx = SimpleUploadedFile("cv.docx", docx_bytes())
        self.post(attachment=docx)
        self.assertTrue(Resume.objects.get().attachment.name.endswith(".docx"))


class ResumeVisibilityTests(TestCase):
    def setUp(self):
        self.owner = make_user("owner")
        self.resume = make_resume(make_job(), self.owner, name="Owner Name")
        self.detail = self.resume.get_absolute_url()
        self.photo = reverse("jobs:resume_file", args=[self.resume.pk, "photo"])
        self.attachment = reverse("jobs:resume_file", args=[self.resume.pk, "attachment"])

    def test_owner_sees_resume_and_files(self):
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.detail), "Owner Name")
        response = self.client.get(self.photo)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"\x89PNG"))
        response = self.client.get(self.attachment)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])

    def test_front_server_sends_the_bytes_when_configured(self):
        self.client.force_login(self.owner)
        with self.settings(MEDIA_X_ACCEL_PREFIX="/_private_media/"):
            response = self.client.get(self.photo)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                response["X-Accel-Redirect"], "/_private_media/" + self.resume.photo.name
            )
            self.assertEqual(response["Content-Type"], "image/png")
            self.assertEqual(response.content, b"")
            self.client.force_login(make_user("stranger2"))
            self.assertEqual(self.client.get(self.photo).status_code, 404)

    def test_hr_sees_resume(self):
        self.client.force_login(make_user("hr", group=HR_GROUP, staff=True))
        self.assertContains(self.client.get(self.detail), "Owner Name")
        self.assertEqual(self.client.get(self.attachment).status_code, 200)

    def test_other_users_get_404(self):
        for user in (
            make_user("stranger"),
            make_user("interviewer", group=INTERVIEWER_GROUP, staff=True),
        ):
            self.client.force_login(user)
            for url in (self.detail, self.photo, self.attachment):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))

    def test_assigned_interviewers_see_the_linked_resume(self):
        from recruitment.testing.factories import make_candidate

        first = make_user("first_iv", group=INTERVIEWER_GROUP, staff=True)
        hr_round = make_user("hr_iv", group=INTERVIEWER_GROUP, staff=True)
        other = make_user("other_iv", group=INTERVIEWER_GROUP, staff=True)
        make_candidate(
            phone=self.resume.phone,
            resume=self.resume,
            job=self.resume.job,
            first_interviewer=first,
            hr_interviewer=hr_round,
        )
        for user in (first, hr_round):
            self.client.force_login(user)
            self.assertContains(self.client.get(self.detail), "Owner Name")
            self.assertEqual(self.client.get(self.attachment).status_code, 200)
            with self.settings(MEDIA_X_ACCEL_PREFIX="/_private_media/"):
                response = self.client.get(self.attachment)
            self.assertEqual(
                response["X-Accel-Redirect"], "/_private_media/" + self.resume.attachment.name
            )
        self.client.force_login(other)
        for url in (self.detail, self.photo, self.attachment):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_archived_candidate_no_longer_opens_the_resume(self):
        from recruitment.testing.factories import make_candidate

        iv = make_user("iv", group=INTERVIEWER_GROUP, staff=True)
        candidate = make_candidate(
            phone=self.resume.phone, resume=self.resume, first_interviewer=iv
        )
        candidate.delete()
        self.client.force_login(iv)
        self.assertEqual(self.client.get(self.attachment).status_code, 404)

    def test_anonymous_redirected(self):
        response = self.client.get(self.detail)
        self.assertEqual(response.status_code, 302)

    def test_unknown_kind(self):
        self.client.force_login(self.owner)
        url = reverse("jobs:resume_file", args=[self.resume.pk, "passwd"])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_my_resumes_query_count(self):
        """Session, user, then one SELECT with the job joined, whatever the number of resumes."""
        self.client.force_login(self.owner)
        with self.assertNumQueries(3):
            self.client.get(reverse("jobs:my_resumes"))
        for _ in range(5):
            make_resume(make_job(), self.owner)
        with self.assertNumQueries(3):
            response = self.client.get(reverse("jobs:my_resumes"))
        self.assertEqual(len(response.context["resumes"]), 6)


class SignupTests(TestCase):
    def test_signup_logs_in(self):
        response = self.client.post(
            reverse("signup"),
            {
                "username": "newbie",
                "email": "newbie@example.com",
                "password1": "a-Long-passw0rd!",
                "password2": "a-Long-passw0rd!",
            },
        )
        self.assertRedirects(response, "/")
        self.assertIn("_auth_user_id", self.client.session)
