"""Link existing candidates to their resume and job where the match is certain.

Before 0003 a candidate only had copies of the resume's data: the phone and, as
apply_position, the job's title cut to 135 characters. A candidate is linked when exactly one
resume (archived ones included) has its phone and that resume's job title matches its
apply_position. Anything else (imported from CSV, typed in, no resume with that phone, several
candidates' worth of resumes with the phone, or a title that no longer matches because the job
was renamed) is left unlinked: see README.md, "Candidates, resumes and jobs".
"""

from django.db import migrations
from django.db.models import Count

BATCH = 500


def link_candidates(apps, schema_editor):
    Candidate = apps.get_model("interview", "Candidate")
    Resume = apps.get_model("jobs", "Resume")
    db = schema_editor.connection.alias
    unique_phones = (
        Resume._base_manager.using(db)
        .values("phone")
        .annotate(n=Count("id"))
        .filter(n=1)
        .values("phone")
    )
    candidates = (
        Candidate._base_manager.using(db)
        .filter(resume__isnull=True, phone__in=unique_phones)
        .only("id", "phone", "apply_position")
        .order_by("id")
    )
    pending = []
    for candidate in candidates.iterator(chunk_size=BATCH):
        resume = (
            Resume._base_manager.using(db)
            .select_related("job")
            .only("id", "job__id", "job__title")
            .get(phone=candidate.phone)
        )
        if resume.job.title[:135] != candidate.apply_position:
            continue
        candidate.resume_id = resume.pk
        candidate.job_id = resume.job.pk
        pending.append(candidate)
        if len(pending) >= BATCH:
            Candidate._base_manager.using(db).bulk_update(pending, ["resume", "job"])
            pending = []
    if pending:
        Candidate._base_manager.using(db).bulk_update(pending, ["resume", "job"])


class Migration(migrations.Migration):
    dependencies = [
        ("interview", "0003_candidate_links_archive_audit"),
        ("jobs", "0003_archive_audit_live_unique"),
    ]

    operations = [
        # Reversing leaves the links; 0003's reverse drops the columns.
        migrations.RunPython(link_candidates, migrations.RunPython.noop),
    ]
