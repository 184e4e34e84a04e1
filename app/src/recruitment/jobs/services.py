"""Moving resumes into the interview process."""

from dataclasses import dataclass

from django.db import transaction

from recruitment.interview.models import Candidate

# Resume fields copied to the candidate. Never the primary key: the candidate has its own.
COPIED_FIELDS = [
    "name",
    "email",
    "city",
    "gender",
    "born_address",
    "bachelor_school",
    "master_school",
    "doctor_school",
    "major",
    "degree",
]


@dataclass
class MoveResult:
    created: int = 0
    existing: int = 0
    archived: int = 0


def move_resumes_to_interview(resumes, *, user=None) -> MoveResult:
    """Create one Candidate per phone number (the natural key); running twice changes nothing.

    The candidate links to the resume and its job (the position is read through the job, not
    copied). An existing candidate without a resume link gets this one. A candidate that was
    archived (soft-deleted) stays archived and is counted apart.
    """
    result = MoveResult()
    with transaction.atomic():
        for resume in resumes.select_related("job").order_by("id"):
            defaults = {field: getattr(resume, field) for field in COPIED_FIELDS}
            defaults["resume"] = resume
            defaults["job"] = resume.job
            defaults["creator"] = user
            candidate, created = Candidate.all_objects.get_or_create(
                phone=resume.phone, defaults=defaults
            )
            if created:
                result.created += 1
            elif candidate.is_deleted:
                result.archived += 1
            else:
                result.existing += 1
            if not created and candidate.resume_id is None:
                candidate.resume = resume
                candidate.job = resume.job
                candidate.save(update_fields=["resume", "job", "modified"])
    return result
