from io import StringIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from recruitment.interview.models import Candidate
from recruitment.jobs.models import Job


def snapshot():
    User = get_user_model()
    return (
        list(User.objects.order_by("id").values_list("id", "username", "password")),
        list(Job.all_objects.order_by("id").values_list("id", "title", "modified")),
        list(Candidate.all_objects.order_by("id").values_list("id", "phone", "modified")),
        sorted(
            (g.name, sorted(p.codename for p in g.permissions.all())) for g in Group.objects.all()
        ),
    )


class SeedDemoTests(TestCase):
    def test_idempotent(self):
        call_command("seed_demo", "--password", "pw-Demo-123", stdout=StringIO())
        first = snapshot()
        call_command("seed_demo", "--password", "other-pw", stdout=StringIO())
        self.assertEqual(first, snapshot())
        self.assertEqual(Job.objects.count(), 6)
        self.assertEqual(Candidate.objects.count(), 6)

    def test_roles_and_logins(self):
        call_command("seed_demo", "--password", "pw-Demo-123", stdout=StringIO())
        User = get_user_model()
        hr = User.objects.get(username="demo_hr")
        self.assertTrue(hr.has_perm("interview.export_candidate"))
        self.assertTrue(hr.has_perm("jobs.view_resume"))
        iv = User.objects.get(username="demo_interviewer1")
        self.assertTrue(iv.has_perm("interview.change_candidate"))
        self.assertFalse(iv.has_perm("interview.export_candidate"))
        self.assertFalse(iv.has_perm("jobs.view_resume"))
        applicant = User.objects.get(username="demo_applicant")
        self.assertTrue(applicant.check_password("pw-Demo-123"))
        self.assertFalse(applicant.is_staff)

    def test_password_from_environment(self):
        with self.modify_env(DJANGO_DEMO_PASSWORD="env-Pass-123"):
            call_command("seed_demo", stdout=StringIO())
        user = get_user_model().objects.get(username="demo_hr")
        self.assertTrue(user.check_password("env-Pass-123"))

    def test_password_from_stdin(self):
        call_command(
            "seed_demo", "--password-stdin", stdin=StringIO("stdin-Pass-123\n"), stdout=StringIO()
        )
        user = get_user_model().objects.get(username="demo_hr")
        self.assertTrue(user.check_password("stdin-Pass-123"))

    def test_password_stdin_refuses_an_empty_line(self):
        with self.assertRaisesMessage(CommandError, "standard input held no password"):
            call_command("seed_demo", "--password-stdin", stdin=StringIO("\n"), stdout=StringIO())
        self.assertFalse(get_user_model().objects.exists())

    @override_settings(RECRUITMENT_ENVIRONMENT="production")
    def test_production_refuses_without_password(self):
        with (
            self.modify_env(DJANGO_DEMO_PASSWORD=None),
            self.assertRaisesMessage(CommandError, "DJANGO_DEMO_PASSWORD"),
        ):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(get_user_model().objects.exists())

    @staticmethod
    def modify_env(**values):
        import contextlib
        import os

        @contextlib.contextmanager
        def manager():
            old = {key: os.environ.get(key) for key in values}
            try:
                for key, value in values.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                yield
            finally:
                for key, value in old.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

        return manager()
