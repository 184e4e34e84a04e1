from django.db import IntegrityError
from django.test import TestCase

from recruitment.jobs.models import Job, Resume
from recruitment.testing.factories import make_job, make_resume, make_user


class SoftDeleteTests(TestCase):
    def test_delete_is_soft(self):
        job = make_job()
        job.delete()
        self.assertFalse(Job.objects.filter(pk=job.pk).exists())
        self.assertIsNotNone(Job.all_objects.get(pk=job.pk).deleted_at)

    def test_queryset_delete_is_soft(self):
        make_job()
        make_job()
        Job.objects.all().delete()
        self.assertEqual(Job.objects.count(), 0)
        self.assertEqual(Job.all_objects.count(), 2)

    def test_hard_delete(self):
        job = make_job()
        job.hard_delete()
        self.assertFalse(Job.all_objects.filter(pk=job.pk).exists())

    def test_timestamps(self):
        job = make_job()
        self.assertIsNotNone(job.created)
        self.assertGreaterEqual(job.modified, job.created)


class ConstraintTests(TestCase):
    def test_one_resume_per_applicant_and_job(self):
        job, user = make_job(), make_user()
        make_resume(job, user)
        with self.assertRaises(IntegrityError):
            make_resume(job, user)

    def test_job_natural_key(self):
        make_job(title="Same", city=0, job_type=0)
        with self.assertRaises(IntegrityError):
            make_job(title="Same", city=0, job_type=0)

    def test_visibility(self):
        owner = make_user()
        resume = make_resume(make_job(), owner)
        self.assertTrue(resume.is_visible_to(owner))
        self.assertFalse(resume.is_visible_to(make_user()))
        self.assertIsInstance(str(resume), str)
        self.assertEqual(Resume.objects.count(), 1)


class LiveOnlyUniqueTests(TestCase):
    """The posting key is unique among live jobs only, in the database itself (both engines)."""

    def test_archived_job_can_be_published_again(self):
        old = make_job(title="Same", city=0, job_type=0)
        old.delete()
        new = make_job(title="Same", city=0, job_type=0)
        self.assertEqual(Job.objects.get(title="Same"), new)
        self.assertEqual(Job.all_objects.filter(title="Same").count(), 2)

    def test_two_live_jobs_still_conflict_after_an_archived_one(self):
        make_job(title="Same", city=0, job_type=0).delete()
        make_job(title="Same", city=0, job_type=0)
        with self.assertRaises(IntegrityError):
            make_job(title="Same", city=0, job_type=0)

    def test_restore_is_refused_while_a_live_job_holds_the_key(self):
        from django.core.exceptions import ValidationError

        old = make_job(title="Same", city=0, job_type=0)
        old.delete()
        make_job(title="Same", city=0, job_type=0)
        with self.assertRaises(ValidationError):
            old.restore()
        old.refresh_from_db()
        self.assertTrue(old.is_deleted)

    def test_archive_and_restore_record_who_and_when(self):
        hr = make_user()
        job = make_job()
        job.archive(user=hr)
        job = Job.all_objects.get(pk=job.pk)
        self.assertEqual((job.deleted_by, job.is_deleted), (hr, True))
        job.restore(user=hr)
        job = Job.objects.get(pk=job.pk)
        self.assertEqual(job.restored_by, hr)
        self.assertIsNotNone(job.restored_at)
        self.assertIsNone(job.deleted_at)

    def test_archiving_a_job_keeps_its_resumes(self):
        job = make_job()
        resume = make_resume(job, make_user())
        job.delete()
        self.assertTrue(Resume.objects.filter(pk=resume.pk, job=job).exists())
