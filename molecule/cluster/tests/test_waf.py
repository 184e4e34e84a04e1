"""The WAF on the load balancer (ModSecurity with the OWASP CRS; loadbalancer_waf: block here):
attack payloads in query strings and forms get 403; the app's own flows (pages, login, resume
submission with uploads, admin) pass. Every other test of the scenario goes through it too."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest
from cluster import LB, host, tls, upload_roundtrip

ATTACKS = {
    "sql injection in a query": "/?q=1%27%20OR%20%271%27%3D%271%27%20--",
    "union select in a query": "/?city=1%20UNION%20SELECT%20username,password%20FROM%20auth_user",
    "xss in a query": "/?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
    "path traversal in a query": "/?file=../../../../etc/passwd",
}


def answer(path, data=None):
    """Status and body of a request through the LB (from the controller), redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=tls()))
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(LB + path, data=body), timeout=30) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def blocked_by_the_waf(path, data=None):
    """403 from nginx itself: Django's own 403 (a missing CSRF token) would not count."""
    code, body = answer(path, data)
    return code == 403 and "<center>nginx</center>" in body and "CSRF" not in body


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_in_query_is_blocked(name):
    assert blocked_by_the_waf(ATTACKS[name]), name


@pytest.mark.parametrize(
    "field",
    ["<script>alert(1)</script>", "' OR 1=1 --", "../../../../etc/shadow"],
)
def test_attack_in_form_is_blocked(field):
    assert blocked_by_the_waf("/jobs/1/apply/", {"name": field, "email": "x@example.com"})
    log = host("cl-lb1").run("tail -n 200 /var/log/nginx/modsec_audit.log").stdout
    assert "/jobs/1/apply/" in log


def test_pages_pass():
    for path in ("/", "/jobs/1/", "/?city=0", "/accounts/login/", "/admin/login/"):
        assert answer(path)[0] in (200, 302), path


def test_resume_submission_with_uploads_passes_through_the_waf(vault):
    report = upload_roundtrip("cl-lb1", vault)
    assert report["logged_in"] and report["submit_status"] == 200, report
    assert report["bytes_equal"], report


def test_admin_passes_through_the_waf(vault):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=tls())
    )
    opener.open(LB + "/admin/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = {
        "username": "demo_hr",
        "password": vault["vault_demo_password"],
        "csrfmiddlewaretoken": csrf,
        "next": "/admin/",
    }
    request = urllib.request.Request(
        LB + "/admin/login/?next=/admin/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": LB + "/admin/login/", "Origin": LB},
    )
    with opener.open(request, timeout=30) as resp:
        assert resp.geturl().endswith("/admin/"), resp.geturl()
    for path in (
        "/admin/",
        "/admin/jobs/job/",
        "/admin/jobs/job/?q=Python",
        "/admin/jobs/job/add/",
    ):
        with opener.open(LB + path, timeout=30) as resp:
            assert resp.status == 200, path
