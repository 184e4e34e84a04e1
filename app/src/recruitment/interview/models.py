from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from recruitment.core.models import TimeStampedSoftDeleteModel, user_reference
from recruitment.jobs.models import Degree, Gender

HR_GROUP = "hr"
INTERVIEWER_GROUP = "interviewer"

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(5)]
EXAM_SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


# Every label differs from the others in both languages ("No result yet" was "Pending", which
# read the same as "On hold" in Chinese: 待定 and 待定（保留）).
class RoundResult(models.TextChoices):
    PENDING = "", _("No result yet")
    RECOMMENDED = "recommended", _("Recommended for the next round")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")


class HRResult(models.TextChoices):
    PENDING = "", _("No result yet")
    HIRE = "hire", _("Hire")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")


def _score(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text=_("0 to 5"),
    )


PHONE_TAKEN = _("This phone number cannot be used for a new candidate. Please ask HR.")


class Candidate(TimeStampedSoftDeleteModel):
    """A candidate in the interview process: basic data plus three interview rounds.

    The natural key is the phone number, unique among all rows, archived ones included: moving
    a resume in and importing CSV files are idempotent upserts on it, and an archived candidate
    is restored rather than entered twice (see README.md, "Archiving").
    """

    # Basic information (imported from CSV or copied from a resume)
    name = models.CharField(_("name"), max_length=135)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        unique=True,
        # Says nothing about a candidate the user may not see (an interviewer sees only theirs).
        error_messages={"unique": PHONE_TAKEN},
    )
    email = models.EmailField(_("email"), max_length=135, blank=True)
    city = models.CharField(_("city"), max_length=135, blank=True)
    apply_position = models.CharField(_("applied position"), max_length=135, blank=True)
    born_address = models.CharField(_("place of origin"), max_length=135, blank=True)
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    bachelor_school = models.CharField(_("bachelor school"), max_length=135, blank=True)
    master_school = models.CharField(_("master school"), max_length=135, blank=True)
    doctor_school = models.CharField(_("doctor school"), max_length=135, blank=True)
    major = models.CharField(_("major"), max_length=135, blank=True)
    degree = models.CharField(_("degree"), max_length=16, choices=Degree.choices, blank=True)
    test_score_of_general_ability = models.DecimalField(
        _("general ability test score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=EXAM_SCORE_VALIDATORS,
    )
    paper_score = models.DecimalField(
        _("written test score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=EXAM_SCORE_VALIDATORS,
    )

    # First round (technical)
    first_interviewer = user_reference(_("first round interviewer"))
    first_score = _score(_("first round score"))
    first_learning_ability = _score(_("learning ability"))
    first_professional_competency = _score(_("professional competency"))
    first_advantage = models.TextField(_("strengths"), max_length=1024, blank=True)
    first_disadvantage = models.TextField(_("weaknesses"), max_length=1024, blank=True)
    first_result = models.CharField(
        _("first round result"), max_length=16, choices=RoundResult.choices, blank=True
    )
    first_remark = models.CharField(_("first round remark"), max_length=256, blank=True)

    # Second round (technical / team lead)
    second_interviewer = user_reference(_("second round interviewer"))
    second_score = _score(_("second round score"))
    second_learning_ability = _score(_("learning ability"))
    second_professional_competency = _score(_("professional competency"))
    second_pressure_score = _score(_("performance under pressure"))
    second_advantage = models.TextField(_("strengths"), max_length=1024, blank=True)
    second_disadvantage = models.TextField(_("weaknesses"), max_length=1024, blank=True)
    second_result = models.CharField(
        _("second round result"), max_length=16, choices=RoundResult.choices, blank=True
    )
    second_remark = models.CharField(_("second round remark"), max_length=256, blank=True)

    # HR round
    hr_interviewer = user_reference(_("HR interviewer"))
    hr_score = _score(_("HR score"))
    hr_communication_ability = _score(_("communication ability"))
    hr_stability = _score(_("stability"))
    hr_advantage = models.TextField(_("strengths"), max_length=1024, blank=True)
    hr_disadvantage = models.TextField(_("weaknesses"), max_length=1024, blank=True)
    hr_result = models.CharField(
        _("HR result"), max_length=16, choices=HRResult.choices, blank=True
    )
    hr_remark = models.CharField(_("HR remark"), max_length=256, blank=True)

    creator = user_reference(_("creator"))

    # Where the candidate came from (moved in from a resume, or matched by the 0004 backfill);
    # empty for candidates imported from CSV or typed in. The assigned interviewers may open
    # the linked resume; the position is read through the job, so renaming the job shows.
    resume = models.ForeignKey(
        "jobs.Resume",
        verbose_name=_("resume"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
    )
    job = models.ForeignKey(
        "jobs.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
    )

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-created", "-id"]
        permissions = [
            ("export_candidate", _("Can export the candidate list")),
        ]
        indexes = [
            # Admin list: WHERE deleted_at IS NULL ORDER BY created DESC, plus its filters.
            models.Index(fields=["deleted_at", "-created"], name="interview_cand_alive_idx"),
            models.Index(fields=["email"], name="interview_cand_email_idx"),
            models.Index(fields=["city"], name="interview_cand_city_idx"),
            models.Index(fields=["degree"], name="interview_cand_degree_idx"),
            models.Index(fields=["first_result"], name="interview_cand_first_res_idx"),
            models.Index(fields=["second_result"], name="interview_cand_second_res_idx"),
            models.Index(fields=["hr_result"], name="interview_cand_hr_res_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    @property
    def position(self) -> str:
        """The applied position: the linked job's current title, else the imported text."""
        if self.job_id is not None:
            return self.job.title
        return self.apply_position

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude=exclude)
        # The default manager hides archived rows, but the phone stays unique among them too.
        if exclude and "phone" in exclude:
            return
        taken = Candidate.all_objects.filter(phone=self.phone, deleted_at__isnull=False)
        if not self._state.adding:
            taken = taken.exclude(pk=self.pk)
        if taken.exists():
            raise ValidationError({"phone": ValidationError(PHONE_TAKEN, code="unique")})

    def is_assigned(self, user) -> bool:
        return user.is_authenticated and user.pk in (
            self.first_interviewer_id,
            self.second_interviewer_id,
            self.hr_interviewer_id,
        )


# Fields each round owns: an interviewer may edit a round's fields only when assigned to it.
ROUND_FIELDS = {
    "first": [
        "first_score",
        "first_learning_ability",
        "first_professional_competency",
        "first_advantage",
        "first_disadvantage",
        "first_result",
        "first_remark",
    ],
    "second": [
        "second_score",
        "second_learning_ability",
        "second_professional_competency",
        "second_pressure_score",
        "second_advantage",
        "second_disadvantage",
        "second_result",
        "second_remark",
    ],
    "hr": [
        "hr_score",
        "hr_communication_ability",
        "hr_stability",
        "hr_advantage",
        "hr_disadvantage",
        "hr_result",
        "hr_remark",
    ],
}
INTERVIEWER_FIELDS = ["first_interviewer", "second_interviewer", "hr_interviewer"]
BASIC_FIELDS = [
    "name",
    "phone",
    "email",
    "city",
    "apply_position",
    "born_address",
    "gender",
    "bachelor_school",
    "master_school",
    "doctor_school",
    "major",
    "degree",
    "test_score_of_general_ability",
    "paper_score",
]
