from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from recruitment.core.throttle import client_ip
from recruitment.testing.factories import make_user


class ClientIpTests(SimpleTestCase):
    def test_remote_addr_by_default(self):
        request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_REAL_IP="1.2.3.4")
        self.assertEqual(client_ip(request), "10.1.1.1")

    @override_settings(RECRUITMENT_TRUST_X_REAL_IP=True)
    def test_x_real_ip_behind_proxy(self):
        request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="1.2.3.4")
        self.assertEqual(client_ip(request), "1.2.3.4")


class LoginThrottleTests(TestCase):
    def test_repeated_failures_lock_out(self):
        make_user("victim", password="right-Password-1")
        for _ in range(5):
            response = self.client.post(
                "/accounts/login/", {"username": "victim", "password": "wrong"}
            )
        # Even the right password is refused now.
        response = self.client.post(
            "/accounts/login/", {"username": "victim", "password": "right-Password-1"}
        )
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, 'id="locked-out"', status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_success_below_limit(self):
        make_user("alice", password="right-Password-1")
        for _ in range(3):
            self.client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        response = self.client.post(
            "/accounts/login/", {"username": "alice", "password": "right-Password-1"}
        )
        self.assertEqual(response.status_code, 302)
