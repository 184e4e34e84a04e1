"""Styled 403, 404 and 500 pages, in both languages."""

from django.test import TestCase, override_settings
from django.urls import reverse

from recruitment.interview.models import INTERVIEWER_GROUP
from recruitment.testing.factories import make_user

TEXTS = {
    # language: (403 title, 404 title, 500 title, link back)
    "en": ("Access denied", "Page not found", "Server error", "Back to the open positions"),
    "zh-hans": ("无权访问", "页面不存在", "服务器错误", "返回招聘职位"),
}


class ErrorPageTests(TestCase):
    def test_404(self):
        for language, (_, title, _, back) in TEXTS.items():
            response = self.client.get("/jobs/987654/", headers={"accept-language": language})
            self.assertEqual(response.status_code, 404)
            self.assertTemplateUsed(response, "404.html")
            self.assertContains(response, 'id="error-404"', status_code=404)
            self.assertContains(response, title, status_code=404)
            self.assertContains(response, back, status_code=404)
            self.assertContains(response, "css/site.css", status_code=404)

    def test_403(self):
        # A staff interviewer may not publish jobs: the admin refuses with PermissionDenied.
        self.client.force_login(make_user(group=INTERVIEWER_GROUP, staff=True))
        for language, (title, _, _, back) in TEXTS.items():
            response = self.client.get(
                reverse("admin:jobs_job_add"), headers={"accept-language": language}
            )
            self.assertEqual(response.status_code, 403)
            self.assertTemplateUsed(response, "403.html")
            self.assertContains(response, title, status_code=403)
            self.assertContains(response, back, status_code=403)

    @override_settings(ROOT_URLCONF="recruitment.core.tests.urls_errors")
    def test_500(self):
        self.client.raise_request_exception = False
        for language, (_, _, title, back) in TEXTS.items():
            with self.assertLogs("django.request", "ERROR"):
                response = self.client.get("/test-broken/", headers={"accept-language": language})
            self.assertEqual(response.status_code, 500)
            self.assertTemplateUsed(response, "500.html")
            self.assertContains(response, 'id="error-500"', status_code=500)
            self.assertContains(response, title, status_code=500)
            self.assertContains(response, back, status_code=500)
            self.assertContains(response, f'lang="{language}"', status_code=500)
