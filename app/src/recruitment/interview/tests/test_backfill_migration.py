"""interview 0004 links existing candidates to their resume and job where the match is
certain, on the real schema history (migrated back to 0003, data written, then forward)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [
    ("interview", "0003_candidate_links_archive_audit"),
    ("jobs", "0003_archive_audit_live_unique"),
]
AFTER = [("interview", "0004_backfill_candidate_links")]


class BackfillCandidateLinksTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def tearDown(self):
        self.migrate(executor_leaf_nodes())

    def test_links_only_certain_matches(self):
        apps = self.migrate(BEFORE)
        User = apps.get_model("auth", "User")
        Job = apps.get_model("jobs", "Job")
        Resume = apps.get_model("jobs", "Resume")
        Candidate = apps.get_model("interview", "Candidate")

        def job(title, city=0):
            return Job.objects.create(
                job_type=0, title=title, city=city, responsibilities="r", requirements="q"
            )

        def resume(job, phone, n):
            applicant = User.objects.create(username=f"applicant{n}")
            return Resume.objects.create(
                job=job,
                applicant=applicant,
                name="n",
                phone=phone,
                email="a@example.com",
                city="c",
                degree="bachelor",
                photo="p.png",
                attachment="a.pdf",
            )

        backend, ops = job("Backend"), job("Ops")
        certain = resume(backend, "100", 1)
        resume(backend, "200", 2)  # same phone twice: which one is not certain
        resume(ops, "200", 3)
        resume(ops, "300", 4)  # job renamed since: title no longer matches
        archived_resume = resume(ops, "400", 5)
        Resume.objects.filter(pk=archived_resume.pk).update(deleted_at="2026-01-01T00:00:00Z")
        rows = {
            "100": "Backend",
            "200": "Backend",
            "300": "Old ops title",
            "400": "Ops",
            "500": "Backend",  # imported: no resume with this phone
        }
        for phone, position in rows.items():
            Candidate.objects.create(name=phone, phone=phone, apply_position=position)

        apps = self.migrate(AFTER)
        Candidate = apps.get_model("interview", "Candidate")
        links = {c.phone: (c.resume_id, c.job_id) for c in Candidate.objects.order_by("phone")}
        self.assertEqual(
            links,
            {
                "100": (certain.pk, backend.pk),
                "200": (None, None),
                "300": (None, None),
                "400": (archived_resume.pk, ops.pk),
                "500": (None, None),
            },
        )


def executor_leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
