from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from recruitment.core.models import TimeStampedSoftDeleteModel, live_marker, user_reference

from .validators import validate_attachment, validate_photo


class JobType(models.IntegerChoices):
    TECHNOLOGY = 0, _("Technology")
    PRODUCT = 1, _("Product")
    OPERATIONS = 2, _("Operations")
    DESIGN = 3, _("Design")
    MARKETING = 4, _("Marketing")


class City(models.IntegerChoices):
    BEIJING = 0, _("Beijing")
    SHANGHAI = 1, _("Shanghai")
    SHENZHEN = 2, _("Shenzhen")
    HANGZHOU = 3, _("Hangzhou")
    CHENGDU = 4, _("Chengdu")


class Degree(models.TextChoices):
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctor")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class Job(TimeStampedSoftDeleteModel):
    """A published position. The long texts are deferred on list pages."""

    job_type = models.PositiveSmallIntegerField(_("job type"), choices=JobType.choices)
    title = models.CharField(_("title"), max_length=250)
    city = models.PositiveSmallIntegerField(_("city"), choices=City.choices)
    responsibilities = models.TextField(_("responsibilities"), max_length=4000)
    requirements = models.TextField(_("requirements"), max_length=4000)
    creator = user_reference(_("creator"))
    # 1 while live, NULL once archived: the unique posting key below holds among live jobs only.
    live = live_marker()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created", "-id"]
        constraints = [
            # One live posting per title, type and city; an archived one may be published again
            # (MariaDB has no partial index: the live marker is NULL for archived rows).
            models.UniqueConstraint(
                fields=["job_type", "title", "city", "live"],
                name="jobs_job_unique_live_type_title_city",
                violation_error_message=_(
                    "A published job with this type, title and city already exists."
                ),
            ),
        ]
        indexes = [
            # Public list: WHERE deleted_at IS NULL [AND city/job_type] ORDER BY created DESC.
            models.Index(fields=["deleted_at", "-created"], name="jobs_job_alive_created_idx"),
            models.Index(fields=["city", "job_type"], name="jobs_job_city_type_idx"),
            models.Index(fields=["job_type"], name="jobs_job_type_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])


class Resume(TimeStampedSoftDeleteModel):
    """An applicant's resume for one job. Visible to its owner, HR and assigned interviewers."""

    # PROTECT guards against a hard delete only: archiving a job keeps its resumes.
    job = models.ForeignKey(
        Job,
        verbose_name=_("job"),
        on_delete=models.PROTECT,
        related_name="resumes",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="resumes",
    )
    # Contact details
    name = models.CharField(_("name"), max_length=135)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("email"), max_length=135)
    city = models.CharField(_("city"), max_length=135)
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    born_address = models.CharField(_("place of origin"), max_length=135, blank=True)
    # Education
    bachelor_school = models.CharField(_("bachelor school"), max_length=135, blank=True)
    master_school = models.CharField(_("master school"), max_length=135, blank=True)
    doctor_school = models.CharField(_("doctor school"), max_length=135, blank=True)
    major = models.CharField(_("major"), max_length=135, blank=True)
    degree = models.CharField(_("degree"), max_length=16, choices=Degree.choices)
    # Experience (long texts: deferred on list pages)
    candidate_introduction = models.TextField(_("self introduction"), max_length=2000, blank=True)
    work_experience = models.TextField(_("work experience"), max_length=4000, blank=True)
    project_experience = models.TextField(_("project experience"), max_length=4000, blank=True)
    # Uploads (validated by size and by content; served only through permission-checked views)
    photo = models.ImageField(
        _("photo"), upload_to="resumes/photos/%Y/%m/", validators=[validate_photo]
    )
    attachment = models.FileField(
        _("attachment (PDF or DOCX)"),
        upload_to="resumes/attachments/%Y/%m/",
        validators=[validate_attachment],
    )

    class Meta:
        verbose_name = _("resume")
        verbose_name_plural = _("resumes")
        ordering = ["-created", "-id"]
        constraints = [
            # One resume per applicant and job: a second submission updates the first.
            models.UniqueConstraint(fields=["applicant", "job"], name="jobs_resume_unique_app_job"),
        ]
        indexes = [
            models.Index(fields=["deleted_at", "-created"], name="jobs_resume_alive_created_idx"),
            models.Index(fields=["phone"], name="jobs_resume_phone_idx"),
            models.Index(fields=["city"], name="jobs_resume_city_idx"),
            models.Index(fields=["email"], name="jobs_resume_email_idx"),
            models.Index(fields=["degree"], name="jobs_resume_degree_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:resume_detail", args=[self.pk])

    def is_visible_to(self, user) -> bool:
        """Its owner, HR (jobs.view_resume), and the interviewers assigned to a live candidate
        linked to it."""
        if not user.is_authenticated:
            return False
        if user.pk == self.applicant_id or user.has_perm("jobs.view_resume"):
            return True
        return self.candidates.filter(
            models.Q(first_interviewer=user)
            | models.Q(second_interviewer=user)
            | models.Q(hr_interviewer=user)
        ).exists()
