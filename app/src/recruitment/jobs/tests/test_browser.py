"""End to end in a real headless Chromium (Debian's chromium + chromium-driver)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from recruitment.interview.models import HR_GROUP, INTERVIEWER_GROUP, Candidate
from recruitment.testing.factories import (
    make_candidate,
    make_job,
    make_resume,
    make_user,
    pdf_bytes,
    png_bytes,
)

CHROMIUM = os.environ.get("RECRUITMENT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("RECRUITMENT_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1600",
]


@pytest.mark.browser
class ApplyAndReviewBrowserTests(StaticLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        for binary in (CHROMIUM, CHROMEDRIVER):
            if not os.path.exists(binary):
                raise RuntimeError(
                    f"{binary} is missing: apt-get install -y chromium chromium-driver"
                )
        super().setUpClass()
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        cls.profile_dir = tempfile.mkdtemp(prefix="recruitment-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in CHROME_ARGS:
            options.add_argument(arg)
        options.add_argument(f"--user-data-dir={cls.profile_dir}")
        options.add_argument("--lang=en-US")
        cls.driver = webdriver.Chrome(
            service=Service(executable_path=CHROMEDRIVER), options=options
        )
        cls.driver.implicitly_wait(10)
        cls.driver.set_page_load_timeout(60)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        shutil.rmtree(cls.profile_dir, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.files = Path(tempfile.mkdtemp(prefix="recruitment-uploads-"))
        self.photo = self.files / "photo.png"
        self.photo.write_bytes(png_bytes((120, 160), "navy"))
        self.pdf = self.files / "resume.pdf"
        self.pdf.write_bytes(pdf_bytes())
        self.job = make_job(title="Selenium Engineer")
        make_user("applicant", password="applicant-Pass-1")
        make_user("hr", password="hr-Pass-1", group=HR_GROUP, staff=True)

    def tearDown(self):
        shutil.rmtree(self.files, ignore_errors=True)

    def find(self, selector):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def login(self, path, username, password):
        self.driver.get(self.live_server_url + path)
        self.find("#id_username").send_keys(username)
        self.find("#id_password").send_keys(password)
        self.find("#id_password").submit()

    def test_applicant_submits_and_hr_sees_it(self):
        from selenium.webdriver.support.select import Select

        driver = self.driver
        self.login("/accounts/login/", "applicant", "applicant-Pass-1")
        self.find("#nav-my-resumes")  # logged in

        driver.get(self.live_server_url + "/")
        self.find("a.job-link").click()
        self.assertIn("Selenium Engineer", self.find("h1").text)
        self.find("#apply").click()

        values = {
            "name": "Han Meimei",
            "phone": "13912340000",
            "city": "Hangzhou",
            "bachelor_school": "Zhejiang University",
            "major": "Software Engineering",
            "work_experience": "Five years of Python.",
        }
        for field, value in values.items():
            element = self.find(f"#id_{field}")
            element.clear()
            element.send_keys(value)
        Select(self.find("#id_degree")).select_by_value("master")
        Select(self.find("#id_gender")).select_by_value("female")
        self.find("#id_photo").send_keys(str(self.photo))
        self.find("#id_attachment").send_keys(str(self.pdf))
        self.find("#submit-resume").click()

        self.assertEqual(self.find("#resume-name").text, "Han Meimei")
        self.find("#attachment-link")
        photo_ok = driver.execute_script(
            "const img = document.querySelector('img.photo');"
            "return img && img.complete && img.naturalWidth === 120;"
        )
        self.assertTrue(photo_ok, "the uploaded photo is served back to its owner")

        self.find("#logout").click()
        self.find("#nav-login")

        self.login("/admin/login/", "hr", "hr-Pass-1")
        driver.get(self.live_server_url + "/admin/jobs/resume/")
        table = self.find("#result_list").text
        self.assertIn("Han Meimei", table)
        self.assertIn("13912340000", table)
        self.assertIn("Selenium Engineer", table)

    def test_interviewer_opens_the_cv_and_scores_the_first_round(self):
        from selenium.webdriver.support.select import Select

        driver = self.driver
        interviewer = make_user("iv", password="iv-Pass-1", group=INTERVIEWER_GROUP, staff=True)
        resume = make_resume(self.job, make_user("lucy"), name="Lucy Liu", phone="13712345678")
        candidate = make_candidate(
            name="Lucy Liu",
            phone=resume.phone,
            resume=resume,
            job=self.job,
            first_interviewer=interviewer,
        )
        make_candidate(name="Someone Else")  # not assigned: not listed

        self.login("/admin/login/", "iv", "iv-Pass-1")
        driver.get(self.live_server_url + "/admin/interview/candidate/")
        table = self.find("#result_list").text
        self.assertIn("Lucy Liu", table)
        self.assertIn("Selenium Engineer", table)  # the position, read through the job
        self.assertNotIn("Someone Else", table)
        self.find(f"#result_list a[href*='/{candidate.pk}/change/']").click()

        self.find("#candidate-resume").click()
        self.assertEqual(self.find("#resume-name").text, "Lucy Liu")
        cv = self.find("#attachment-link").get_attribute("href")
        status, head = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.text().then(t => done([r.status, t.slice(0, 5)])));",
            cv,
        )
        self.assertEqual((status, head), (200, "%PDF-"))

        driver.back()
        self.find("#id_first_score").send_keys("4.5")
        Select(self.find("#id_first_result")).select_by_value("recommended")
        self.find("#id_first_advantage").send_keys("Knows Selenium")
        self.find("input[name='_save']").click()
        self.find(".messagelist .success")
        candidate = Candidate.objects.get(pk=candidate.pk)
        self.assertEqual(str(candidate.first_score), "4.5")
        self.assertEqual(candidate.first_result, "recommended")
        self.assertEqual(candidate.first_advantage, "Knows Selenium")
