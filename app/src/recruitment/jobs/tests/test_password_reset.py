"""Password reset by e-mail (the outbox stands in for EMAIL_URL's server)."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from recruitment.testing.factories import make_user

RESET = reverse("password_reset")


class PasswordResetTests(TestCase):
    def setUp(self):
        self.user = make_user("forgetful", password="old-Pass-123")

    def test_login_pages_link_to_reset(self):
        self.assertContains(self.client.get(reverse("login")), RESET)
        admin_login = self.client.get(reverse("admin:login"))
        self.assertContains(admin_login, reverse("admin_password_reset"))
        self.assertRedirects(
            self.client.get(reverse("admin_password_reset")), RESET, fetch_redirect_response=False
        )

    def test_reset_by_email_then_log_in_with_the_new_password(self):
        response = self.client.post(
            RESET, {"email": "forgetful@example.com"}, headers={"accept-language": "en"}
        )
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["forgetful@example.com"])
        self.assertIn("Reset your password", message.subject)
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

        page = self.client.get(link, follow=True)
        self.assertContains(page, 'id="password-set-form"')
        form_url = page.redirect_chain[-1][0]
        response = self.client.post(
            form_url, {"new_password1": "new-Pass-456xyz", "new_password2": "new-Pass-456xyz"}
        )
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password("new-Pass-456xyz"))
        # The link works once.
        self.assertContains(self.client.get(link, follow=True), 'id="password-reset-invalid"')

    def test_chinese_email(self):
        self.client.post(
            RESET, {"email": "forgetful@example.com"}, headers={"accept-language": "zh-hans"}
        )
        self.assertIn("重置", mail.outbox[0].subject)

    def test_unknown_address_sends_nothing_and_says_the_same(self):
        response = self.client.post(RESET, {"email": "nobody@example.com"}, follow=True)
        self.assertContains(response, 'id="password-reset-sent"')
        self.assertEqual(mail.outbox, [])
        self.assertEqual(get_user_model().objects.filter(email="nobody@example.com").count(), 0)
