from django.contrib.auth.models import AnonymousUser
from django.template.loader import get_template, render_to_string
from django.test import RequestFactory, SimpleTestCase
from django.utils import translation


class TemplateTests(SimpleTestCase):
    def test_templates_load(self):
        for name in (
            "base.html",
            "jobs/job_list.html",
            "jobs/job_detail.html",
            "jobs/resume_form.html",
            "jobs/my_resumes.html",
            "jobs/resume_detail.html",
            "registration/login.html",
            "registration/signup.html",
            "registration/locked_out.html",
        ):
            with self.subTest(name=name):
                get_template(name)

    def test_empty_job_list(self):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with translation.override("en"):
            html = render_to_string(
                "jobs/job_list.html",
                {"page_obj": [], "cities": [], "job_types": []},
                request=request,
            )
        self.assertIn("No open positions", html)
