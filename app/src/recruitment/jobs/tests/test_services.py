from django.test import TestCase

from recruitment.interview.models import Candidate
from recruitment.jobs.models import Resume
from recruitment.jobs.services import move_resumes_to_interview
from recruitment.testing.factories import make_job, make_resume, make_user


class MoveServiceTests(TestCase):
    def test_same_phone_two_jobs_is_one_candidate(self):
        user = make_user()
        make_resume(make_job(), user, phone="13700000000")
        make_resume(make_job(), user, phone="13700000000")
        result = move_resumes_to_interview(Resume.objects.all())
        self.assertEqual((result.created, result.existing), (1, 1))
        self.assertEqual(Candidate.objects.count(), 1)
