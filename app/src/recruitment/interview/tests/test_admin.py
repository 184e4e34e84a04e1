from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recruitment.interview.models import (
    HR_GROUP,
    INTERVIEWER_FIELDS,
    INTERVIEWER_GROUP,
    Candidate,
)
from recruitment.testing.factories import make_candidate, make_user

CHANGELIST = reverse("admin:interview_candidate_changelist")
ADD = reverse("admin:interview_candidate_add")


def change_url(candidate):
    return reverse("admin:interview_candidate_change", args=[candidate.pk])


def form_data(candidate, **overrides):
    """All editable fields of the change form, as the browser would post them."""
    data = {
        "name": candidate.name,
        "phone": candidate.phone,
        "email": candidate.email,
        "city": candidate.city,
        "apply_position": candidate.apply_position,
        "born_address": "",
        "gender": candidate.gender,
        "bachelor_school": "",
        "master_school": "",
        "doctor_school": "",
        "major": "",
        "degree": "",
        "test_score_of_general_ability": "",
        "paper_score": "",
        "first_interviewer": candidate.first_interviewer_id or "",
        "second_interviewer": candidate.second_interviewer_id or "",
        "hr_interviewer": candidate.hr_interviewer_id or "",
    }
    for prefix in ("first", "second", "hr"):
        for name in (
            "score",
            "learning_ability",
            "professional_competency",
            "pressure_score",
            "communication_ability",
            "stability",
            "advantage",
            "disadvantage",
            "result",
            "remark",
        ):
            data.setdefault(f"{prefix}_{name}", "")
    data.update(overrides)
    return data


class CandidateAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hr = make_user("hr", group=HR_GROUP, staff=True)
        cls.iv1 = make_user("iv1", group=INTERVIEWER_GROUP, staff=True)
        cls.iv2 = make_user("iv2", group=INTERVIEWER_GROUP, staff=True)
        cls.mine = make_candidate(
            name="Mine", first_interviewer=cls.iv1, second_interviewer=cls.iv2
        )
        cls.theirs = make_candidate(name="Theirs", first_interviewer=cls.iv2)
        cls.unassigned = make_candidate(name="Nobody")

    def test_hr_sees_everything(self):
        self.client.force_login(self.hr)
        response = self.client.get(CHANGELIST)
        for name in ("Mine", "Theirs", "Nobody"):
            self.assertContains(response, name)

    def test_interviewer_sees_only_assigned(self):
        self.client.force_login(self.iv1)
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "Mine")
        self.assertNotContains(response, "Theirs")
        self.assertNotContains(response, "Nobody")
        self.assertEqual(self.client.get(change_url(self.theirs)).status_code, 302)

    def test_interviewer_edits_only_own_round(self):
        self.client.force_login(self.iv1)
        response = self.client.post(
            change_url(self.mine),
            form_data(
                self.mine,
                first_score="4.5",
                first_result="recommended",
                first_advantage="Clear thinker",
                second_score="1.0",  # not theirs: ignored
                name="Renamed",  # basic data: read-only for interviewers
                first_interviewer=self.iv2.pk,  # assignment: HR only
            ),
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        self.mine.refresh_from_db()
        self.assertEqual(str(self.mine.first_score), "4.5")
        self.assertEqual(self.mine.first_result, "recommended")
        self.assertEqual(self.mine.first_advantage, "Clear thinker")
        self.assertIsNone(self.mine.second_score)
        self.assertEqual(self.mine.name, "Mine")
        self.assertEqual(self.mine.first_interviewer, self.iv1)

    def test_second_round_interviewer(self):
        self.client.force_login(self.iv2)
        self.client.post(
            change_url(self.mine),
            form_data(self.mine, second_score="3.0", first_score="5.0"),
        )
        self.mine.refresh_from_db()
        self.assertEqual(str(self.mine.second_score), "3.0")
        self.assertIsNone(self.mine.first_score)

    def test_hr_assigns_interviewers(self):
        self.client.force_login(self.hr)
        response = self.client.post(
            change_url(self.unassigned),
            form_data(self.unassigned, first_interviewer=self.iv1.pk, hr_result="hire"),
        )
        self.assertEqual(response.status_code, 302)
        self.unassigned.refresh_from_db()
        self.assertEqual(self.unassigned.first_interviewer, self.iv1)
        self.assertEqual(self.unassigned.hr_result, "hire")

    def test_only_interview_staff_can_be_assigned(self):
        outsider = make_user("applicant")
        self.client.force_login(self.hr)
        response = self.client.post(
            change_url(self.unassigned),
            form_data(self.unassigned, first_interviewer=outsider.pk),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("first_interviewer", response.context["adminform"].form.errors)

    def test_add_works_for_every_role(self):
        for user, phone in ((self.hr, "13600000001"), (self.iv1, "13600000002")):
            self.client.force_login(user)
            self.assertEqual(self.client.get(ADD).status_code, 200)
            candidate = Candidate(name=f"New {user}", phone=phone)
            response = self.client.post(ADD, form_data(candidate))
            self.assertEqual(response.status_code, 302, response.content[:2000])
            created = Candidate.objects.get(phone=phone)
            self.assertEqual(created.creator, user)
        # The interviewer who added a candidate interviews them first, so can see them.
        self.assertEqual(Candidate.objects.get(phone="13600000002").first_interviewer, self.iv1)
        self.assertIsNone(Candidate.objects.get(phone="13600000001").first_interviewer)

    def test_delete_is_soft(self):
        self.client.force_login(self.hr)
        self.client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [self.unassigned.pk], "post": "yes"},
        )
        self.assertFalse(Candidate.objects.filter(pk=self.unassigned.pk).exists())
        self.assertTrue(Candidate.all_objects.filter(pk=self.unassigned.pk).exists())
        self.assertEqual(Candidate.all_objects.get(pk=self.unassigned.pk).deleted_by, self.hr)


class ExportActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hr = make_user("hr", group=HR_GROUP, staff=True)
        cls.iv = make_user("iv", group=INTERVIEWER_GROUP, staff=True)
        cls.candidate = make_candidate(name="张三", first_interviewer=cls.iv)

    def export(self):
        return self.client.post(
            CHANGELIST,
            {"action": "export_model_as_csv", "_selected_action": [self.candidate.pk]},
        )

    def test_hr_exports_csv(self):
        self.client.force_login(self.hr)
        response = self.export()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        body = response.content.decode("utf-8-sig")
        self.assertIn("张三", body)
        self.assertIn("iv", body)

    def test_interviewer_without_export_permission(self):
        self.client.force_login(self.iv)
        response = self.client.get(CHANGELIST)
        form = response.context["action_form"]
        choices = [value for value, _ in form.fields["action"].choices] if form else []
        self.assertNotIn("export_model_as_csv", choices)
        response = self.export()
        self.assertNotEqual(response.get("Content-Type"), "text/csv; charset=utf-8")

    def test_permission_alone_enables_export(self):
        self.iv.user_permissions.add(Permission.objects.get(codename="export_candidate"))
        self.client.force_login(self.iv)
        response = self.export()
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")


class ChangelistQueryCountTests(TestCase):
    def test_changelist_queries_do_not_grow(self):
        hr = make_user("hr", group=HR_GROUP, staff=True)
        iv = make_user("iv", group=INTERVIEWER_GROUP, staff=True)
        for _ in range(2):
            make_candidate(first_interviewer=iv, second_interviewer=hr, hr_interviewer=hr)
        self.client.force_login(hr)
        self.client.get(CHANGELIST)
        with CaptureQueriesContext(connection) as few:
            self.client.get(CHANGELIST)
        for _ in range(15):
            make_candidate(first_interviewer=iv, second_interviewer=hr, hr_interviewer=hr)
        with self.assertNumQueries(len(few)):
            response = self.client.get(CHANGELIST)
        self.assertEqual(response.context["cl"].result_count, 17)
        row = response.context["cl"].result_list[0]
        self.assertIn("first_advantage", row.get_deferred_fields())


class CandidatePhoneTests(TestCase):
    """The phone stays unique among archived candidates too; nobody gets a 500, and an
    interviewer learns nothing about a candidate they cannot see."""

    @classmethod
    def setUpTestData(cls):
        cls.hr = make_user("hr", group=HR_GROUP, staff=True)
        cls.iv = make_user("iv", group=INTERVIEWER_GROUP, staff=True)
        cls.hidden = make_candidate(name="Hidden Person", phone="13711112222")
        cls.archived = make_candidate(name="Archived Person", phone="13733334444")
        cls.archived.delete()  # archived (soft delete), as before this change

    def add(self, user, phone):
        self.client.force_login(user)
        return self.client.post(
            ADD,
            form_data(Candidate(name="Someone new", phone=phone)),
            headers={"accept-language": "en"},
        )

    def phone_errors(self, response):
        self.assertEqual(response.status_code, 200)
        return response.context["adminform"].form.errors["phone"]

    def test_hr_re_adding_an_archived_phone_is_told_to_restore(self):
        errors = self.phone_errors(self.add(self.hr, "13733334444"))
        self.assertIn("archived candidate", errors[0])
        self.assertIn("Archived Person", errors[0])
        self.assertEqual(Candidate.all_objects.filter(phone="13733334444").count(), 1)

    def test_hr_adding_a_live_phone_names_the_candidate(self):
        errors = self.phone_errors(self.add(self.hr, "13711112222"))
        self.assertIn("Hidden Person", errors[0])

    def test_interviewer_message_does_not_reveal_the_candidate(self):
        live = self.phone_errors(self.add(self.iv, "13711112222"))
        archived = self.phone_errors(self.add(self.iv, "13733334444"))
        self.assertEqual(live, archived)
        self.assertEqual(
            live, ["This phone number cannot be used for a new candidate. Please ask HR."]
        )
        for response in (self.add(self.iv, "13711112222"), self.add(self.iv, "13733334444")):
            self.assertNotContains(response, "Hidden Person")
            self.assertNotContains(response, "Archived Person")
            self.assertNotContains(response, "already exists")

    def test_model_validation_sees_archived_rows(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as caught:
            Candidate(name="x", phone="13733334444").full_clean()
        self.assertIn("phone", caught.exception.message_dict)

    def test_hr_restores_a_candidate(self):
        self.client.force_login(self.hr)
        response = self.client.get(CHANGELIST, {"archived": "yes"})
        self.assertContains(response, "Archived Person")
        self.assertNotContains(response, "Hidden Person")
        self.client.post(
            CHANGELIST + "?archived=yes",
            {"action": "restore_selected", "_selected_action": [self.archived.pk]},
        )
        restored = Candidate.objects.get(pk=self.archived.pk)
        self.assertEqual(restored.restored_by, self.hr)
        self.assertIsNotNone(restored.restored_at)

    def test_interviewer_has_no_archive_filter_or_restore(self):
        self.archived.first_interviewer = self.iv
        self.archived.save()
        self.client.force_login(self.iv)
        response = self.client.get(CHANGELIST)
        self.assertNotContains(response, "Archived Person")
        params = [
            getattr(spec, "parameter_name", None) for spec in response.context["cl"].filter_specs
        ]
        self.assertNotIn("archived", params)
        form = response.context["action_form"]
        choices = [value for value, _ in form.fields["action"].choices] if form else []
        self.assertNotIn("restore_selected", choices)
        # The archived filter's parameter is not accepted either.
        self.assertEqual(self.client.get(CHANGELIST, {"archived": "yes"}).status_code, 302)
        self.assertEqual(self.client.get(change_url(self.archived)).status_code, 302)


class InterviewerFilterTests(TestCase):
    def test_hr_filters_list_assigned_staff_only_once_each(self):
        hr = make_user("hr", group=HR_GROUP, staff=True)
        iv = make_user("iv_assigned", group=INTERVIEWER_GROUP, staff=True)
        make_user("iv_idle", group=INTERVIEWER_GROUP, staff=True)
        applicant = make_user("applicant_bob")
        make_candidate(first_interviewer=iv, hr_interviewer=hr)
        # An applicant wrongly assigned (e.g. before the staff-only choices) is still not listed.
        make_candidate(second_interviewer=applicant)
        self.client.force_login(hr)
        response = self.client.get(CHANGELIST)
        specs = {
            spec.field_path: [label for _, label in spec.lookup_choices]
            for spec in response.context["cl"].filter_specs
            if getattr(spec, "field_path", None) in INTERVIEWER_FIELDS
        }
        self.assertEqual(
            specs,
            # No staff member is assigned to the second round: that filter is not shown.
            {"first_interviewer": ["iv_assigned"], "hr_interviewer": ["hr"]},
        )


class LinkedResumeTests(TestCase):
    """A candidate moved in from a resume reads the position through its job and links the CV."""

    @classmethod
    def setUpTestData(cls):
        from recruitment.testing.factories import make_job, make_resume

        cls.hr = make_user("hr", group=HR_GROUP, staff=True)
        cls.iv = make_user("iv", group=INTERVIEWER_GROUP, staff=True)
        cls.job = make_job(title="Old title")
        cls.resume = make_resume(cls.job, make_user("applicant"))
        cls.candidate = make_candidate(
            name="Linked",
            phone=cls.resume.phone,
            apply_position="Stale copy",
            job=cls.job,
            resume=cls.resume,
            first_interviewer=cls.iv,
        )

    def test_renamed_job_shows_everywhere(self):
        self.job.title = "New title"
        self.job.save()
        self.client.force_login(self.hr)
        listing = self.client.get(CHANGELIST)
        self.assertContains(listing, "New title")
        self.assertNotContains(listing, "Stale copy")
        change = self.client.get(change_url(self.candidate))
        self.assertContains(change, "New title")
        self.assertNotContains(change, "Stale copy")
        export = self.client.post(
            CHANGELIST, {"action": "export_model_as_csv", "_selected_action": [self.candidate.pk]}
        )
        body = export.content.decode("utf-8-sig")
        self.assertIn("New title", body)
        self.assertNotIn("Stale copy", body)

    def test_assigned_interviewer_gets_links_to_the_resume_and_cv(self):
        self.client.force_login(self.iv)
        change = self.client.get(change_url(self.candidate))
        self.assertContains(change, reverse("jobs:resume_detail", args=[self.resume.pk]))
        cv = reverse("jobs:resume_file", args=[self.resume.pk, "attachment"])
        self.assertContains(change, cv)
        self.assertEqual(self.client.get(cv).status_code, 200)

    def test_interviewer_score_still_saves_on_a_linked_candidate(self):
        self.client.force_login(self.iv)
        response = self.client.post(
            change_url(self.candidate), form_data(self.candidate, first_score="3.5")
        )
        self.assertEqual(response.status_code, 302)
        self.candidate.refresh_from_db()
        self.assertEqual(str(self.candidate.first_score), "3.5")
        self.assertEqual(self.candidate.job, self.job)


class CsvInjectionTests(TestCase):
    def test_formula_cells_are_escaped(self):
        hr = make_user("hr", group=HR_GROUP, staff=True)
        hostile = {
            "name": '=HYPERLINK("http://evil.example","x")',
            "city": "+1+2",
            "email": "",
            "born_address": "-2+3",
            "bachelor_school": "@SUM(A1:A2)",
            "major": "Plain text - not a formula",
        }
        candidate = make_candidate(phone="13812345678", **hostile)
        self.client.force_login(hr)
        response = self.client.post(
            CHANGELIST, {"action": "export_model_as_csv", "_selected_action": [candidate.pk]}
        )
        import csv
        import io

        header, row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = dict(zip(header, row, strict=True))
        values = set(row)
        self.assertIn('\'=HYPERLINK("http://evil.example","x")', values)
        self.assertIn("'+1+2", values)
        self.assertIn("'-2+3", values)
        self.assertIn("'@SUM(A1:A2)", values)
        self.assertIn("Plain text - not a formula", values)
        self.assertIn("13812345678", values)
        self.assertFalse([v for v in values if v and v[0] in "=+-@"], cells)
