"""Archiving and restoring jobs and resumes in the admin (HR)."""

from django.test import TestCase
from django.urls import reverse

from recruitment.interview.models import HR_GROUP
from recruitment.jobs.models import City, Job, JobType, Resume
from recruitment.testing.factories import make_job, make_resume, make_user

JOBS = reverse("admin:jobs_job_changelist")
ADD_JOB = reverse("admin:jobs_job_add")


def job_form(**overrides):
    data = {
        "job_type": JobType.TECHNOLOGY,
        "title": "Backend engineer",
        "city": City.BEIJING,
        "responsibilities": "Build services.",
        "requirements": "Python.",
    }
    data.update(overrides)
    return data


class JobArchiveAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hr = make_user("hr", group=HR_GROUP, staff=True)

    def setUp(self):
        self.client.force_login(self.hr)

    def test_republishing_an_archived_job_creates_a_new_posting(self):
        old = make_job(**job_form())
        old.delete()
        response = self.client.post(ADD_JOB, job_form())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Job.objects.get().title, "Backend engineer")
        self.assertEqual(Job.all_objects.count(), 2)

    def test_a_live_duplicate_is_a_form_error_not_a_500(self):
        make_job(**job_form())
        response = self.client.post(ADD_JOB, job_form(), headers={"accept-language": "en"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A published job with this type, title and city")
        self.assertEqual(Job.all_objects.count(), 1)

    def test_hr_archives_a_job_that_has_resumes(self):
        job = make_job()
        resume = make_resume(job, make_user())
        url = reverse("admin:jobs_job_delete", args=[job.pk])
        page = self.client.get(url, headers={"accept-language": "en"})
        self.assertNotContains(page, "Cannot delete")
        response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        job = Job.all_objects.get(pk=job.pk)
        self.assertTrue(job.is_deleted)
        self.assertEqual(job.deleted_by, self.hr)
        self.assertTrue(Resume.objects.filter(pk=resume.pk).exists())

    def test_bulk_archive_of_jobs_with_resumes(self):
        jobs = [make_job(), make_job()]
        make_resume(jobs[0], make_user())
        response = self.client.post(
            JOBS,
            {"action": "delete_selected", "_selected_action": [j.pk for j in jobs], "post": "yes"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Job.objects.count(), 0)
        self.assertEqual(
            list(Job.all_objects.values_list("deleted_by", flat=True)), [self.hr.pk] * 2
        )
        self.assertEqual(Resume.objects.count(), 1)

    def test_archived_filter_and_restore_action(self):
        live = make_job(title="Live one")
        gone = make_job(title="Archived one")
        gone.archive(user=self.hr)
        default = self.client.get(JOBS)
        self.assertContains(default, "Live one")
        self.assertNotContains(default, "Archived one")
        archived = self.client.get(JOBS, {"archived": "yes"})
        self.assertContains(archived, "Archived one")
        self.assertNotContains(archived, "Live one")
        self.assertContains(self.client.get(JOBS, {"archived": "all"}), "Live one")

        response = self.client.post(
            JOBS + "?archived=yes",
            {"action": "restore_selected", "_selected_action": [gone.pk, live.pk]},
        )
        self.assertEqual(response.status_code, 302)
        gone = Job.objects.get(pk=gone.pk)
        self.assertEqual(gone.restored_by, self.hr)
        self.assertIsNotNone(gone.restored_at)
        self.assertIsNone(Job.objects.get(pk=live.pk).restored_at)  # was not archived
        # Who archived it, and when, stays on its page.
        page = self.client.get(reverse("admin:jobs_job_change", args=[gone.pk]))
        self.assertContains(page, "restored_by")

    def test_restore_refused_when_the_posting_was_published_again(self):
        old = make_job(**job_form())
        old.delete()
        make_job(**job_form())
        response = self.client.post(
            JOBS + "?archived=yes",
            {"action": "restore_selected", "_selected_action": [old.pk]},
            follow=True,
            headers={"accept-language": "en"},
        )
        self.assertContains(response, "Not restored")
        self.assertTrue(Job.all_objects.get(pk=old.pk).is_deleted)
        self.assertEqual(Job.objects.count(), 1)

    def test_resume_archive_and_restore(self):
        resume = make_resume(make_job(), make_user())
        url = reverse("admin:jobs_resume_changelist")
        self.client.post(
            url, {"action": "delete_selected", "_selected_action": [resume.pk], "post": "yes"}
        )
        self.assertFalse(Resume.objects.filter(pk=resume.pk).exists())
        self.client.post(
            url + "?archived=yes", {"action": "restore_selected", "_selected_action": [resume.pk]}
        )
        self.assertEqual(Resume.objects.get(pk=resume.pk).restored_by, self.hr)
