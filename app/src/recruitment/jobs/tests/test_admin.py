from django.test import TestCase
from django.urls import reverse

from recruitment.interview.models import HR_GROUP, INTERVIEWER_GROUP, Candidate
from recruitment.jobs.models import Resume
from recruitment.testing.factories import make_job, make_resume, make_user

CHANGELIST = reverse("admin:jobs_resume_changelist")


class ResumeAdminPermissionTests(TestCase):
    def setUp(self):
        self.resume = make_resume(make_job(), make_user("owner"), name="Visible Name")

    def test_hr_sees_resumes(self):
        self.client.force_login(make_user("hr", group=HR_GROUP, staff=True))
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "Visible Name")
        change = self.client.get(reverse("admin:jobs_resume_change", args=[self.resume.pk]))
        self.assertContains(change, reverse("jobs:resume_file", args=[self.resume.pk, "photo"]))

    def test_interviewer_cannot_see_resumes(self):
        self.client.force_login(make_user("iv", group=INTERVIEWER_GROUP, staff=True))
        self.assertEqual(self.client.get(CHANGELIST).status_code, 403)

    def test_changelist_query_count_does_not_grow(self):
        self.client.force_login(make_user("hr", group=HR_GROUP, staff=True))
        self.client.get(CHANGELIST)  # warm caches (content types, permissions)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get(CHANGELIST)
        for _ in range(8):
            make_resume(make_job(), make_user())
        with self.assertNumQueries(len(few)):
            response = self.client.get(CHANGELIST)
        self.assertEqual(response.context["cl"].result_count, 9)


class MoveToInterviewActionTests(TestCase):
    def setUp(self):
        self.hr = make_user("hr", group=HR_GROUP, staff=True)
        self.job = make_job(title="Backend")
        self.resumes = [
            make_resume(self.job, make_user(), phone="13500000001", name="A"),
            make_resume(self.job, make_user(), phone="13500000002", name="B"),
        ]

    def run_action(self):
        return self.client.post(
            CHANGELIST,
            {
                "action": "move_to_interview",
                "_selected_action": [r.pk for r in self.resumes],
            },
            follow=True,
            headers={"accept-language": "en"},
        )

    def test_move_is_idempotent(self):
        self.client.force_login(self.hr)
        self.run_action()
        first = list(Candidate.objects.order_by("phone").values_list("id", "phone", "name"))
        self.assertEqual(
            [(p, n) for _, p, n in first], [("13500000001", "A"), ("13500000002", "B")]
        )
        response = self.run_action()
        second = list(Candidate.objects.order_by("phone").values_list("id", "phone", "name"))
        self.assertEqual(first, second)
        self.assertContains(response, "0 candidate(s) created, 2 already", html=False)

    def test_primary_keys_are_not_copied(self):
        # Make the candidate ids diverge from the resume ids.
        from recruitment.testing.factories import make_candidate

        for _ in range(3):
            make_candidate()
        self.client.force_login(self.hr)
        self.run_action()
        for resume in self.resumes:
            candidate = Candidate.objects.get(phone=resume.phone)
            self.assertNotEqual(candidate.pk, resume.pk)
            self.assertEqual(candidate.position, "Backend")
            self.assertEqual((candidate.resume, candidate.job), (resume, self.job))
            self.assertEqual(candidate.creator, self.hr)

    def test_archived_candidate_is_not_duplicated(self):
        self.client.force_login(self.hr)
        self.run_action()
        Candidate.objects.filter(phone="13500000001").delete()
        self.run_action()
        self.assertEqual(Candidate.all_objects.filter(phone="13500000001").count(), 1)
        self.assertEqual(Candidate.objects.count(), 1)

    def test_action_hidden_without_permission(self):
        # A user who may view resumes but not add candidates does not get the action.
        from django.contrib.auth.models import Permission

        viewer = make_user("viewer", staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_resume"))
        self.client.force_login(viewer)
        response = self.client.get(CHANGELIST)
        form = response.context["action_form"]
        choices = [value for value, _ in form.fields["action"].choices] if form else []
        self.assertNotIn("move_to_interview", choices)
        self.run_action()
        self.assertEqual(Candidate.objects.count(), 0)
        self.assertEqual(Resume.objects.count(), 2)
