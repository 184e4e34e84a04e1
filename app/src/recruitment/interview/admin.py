import csv
import logging
from datetime import datetime

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruitment.core.admin import ARCHIVE_FIELDS, SoftDeleteAdmin

from .models import (
    BASIC_FIELDS,
    HR_GROUP,
    INTERVIEWER_FIELDS,
    INTERVIEWER_GROUP,
    ROUND_FIELDS,
    Candidate,
)
from .roles import is_hr

logger = logging.getLogger(__name__)

# Long texts stay out of the changelist query.
LONG_FIELDS = [
    "first_advantage",
    "first_disadvantage",
    "second_advantage",
    "second_disadvantage",
    "hr_advantage",
    "hr_disadvantage",
]
EXPORT_FIELDS = [
    *BASIC_FIELDS,
    "first_score",
    "first_result",
    "first_interviewer",
    "second_score",
    "second_result",
    "second_interviewer",
    "hr_score",
    "hr_result",
    "hr_interviewer",
    "created",
    "modified",
]
ALL_EDITABLE = BASIC_FIELDS + INTERVIEWER_FIELDS + [f for fs in ROUND_FIELDS.values() for f in fs]
# Set by "move to interview" (or the 0004 backfill), shown read-only to everyone.
LINK_FIELDS = ["job", "resume_link"]

# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """The text of one exported cell; text that a spreadsheet would run gets a leading '."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def export_value(candidate, name):
    if name == "apply_position":
        return candidate.position
    value = getattr(candidate, name)
    if name in INTERVIEWER_FIELDS:
        return value.get_username() if value else ""
    return value


@admin.action(description=_("Export selected candidates as CSV"), permissions=["export"])
def export_model_as_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="candidates-{stamp}.csv"'
    response.write("\ufeff")  # BOM so spreadsheet programs detect UTF-8 (Chinese names)
    writer = csv.writer(response)
    opts = Candidate._meta
    writer.writerow([str(opts.get_field(name).verbose_name) for name in EXPORT_FIELDS])
    rows = queryset.select_related("job", *INTERVIEWER_FIELDS).order_by("id")
    count = 0
    for candidate in rows.iterator(chunk_size=2000):
        writer.writerow([csv_cell(export_value(candidate, name)) for name in EXPORT_FIELDS])
        count += 1
    logger.info("user %s exported %d candidates", request.user.get_username(), count)
    return response


class InterviewStaffListFilter(admin.RelatedOnlyFieldListFilter):
    """The users assigned in this column, staff only (never applicants), each listed once."""

    def field_choices(self, field, request, model_admin):
        assigned = (
            model_admin.get_queryset(request)
            .exclude(**{f"{self.field_path}__isnull": True})
            .values_list(f"{self.field_path}__pk", flat=True)
            .distinct()
        )
        ordering = self.field_admin_ordering(field, request, model_admin) or ("username",)
        return field.get_choices(
            include_blank=False,
            ordering=ordering,
            limit_choices_to={"pk__in": assigned, "is_staff": True},
        )


class CandidateForm(forms.ModelForm):
    """Tells HR why a phone number is refused (an archived candidate holds it); anyone else
    gets the model's neutral message, which does not reveal a candidate they cannot see."""

    user = None

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if self.user is None or not is_hr(self.user):
            return phone
        taken = Candidate.all_objects.filter(phone=phone)
        if self.instance.pk is not None:
            taken = taken.exclude(pk=self.instance.pk)
        holder = taken.first()
        if holder is None:
            return phone
        if holder.is_deleted:
            raise forms.ValidationError(
                gettext(
                    "An archived candidate has this phone number: %(candidate)s. Restore it "
                    "(archive filter, then the restore action) instead of adding it again."
                )
                % {"candidate": holder},
                code="unique",
            )
        raise forms.ValidationError(
            gettext("A candidate with this phone number already exists: %(candidate)s.")
            % {"candidate": holder},
            code="unique",
        )


@admin.register(Candidate)
class CandidateAdmin(SoftDeleteAdmin):
    form = CandidateForm
    actions = [export_model_as_csv]
    list_display = [
        "name",
        "phone",
        "position",
        "city",
        "bachelor_school",
        "first_score",
        "first_result",
        "first_interviewer",
        "second_result",
        "second_interviewer",
        "hr_result",
        "hr_interviewer",
        "modified",
    ]
    list_display_links = ["name", "phone"]
    list_filter = ["city", "degree", "first_result", "second_result", "hr_result"]
    search_fields = ["name", "=phone", "=email"]
    list_select_related = ["job", *INTERVIEWER_FIELDS]
    ordering = ["-created", "-id"]
    list_per_page = 50
    fieldsets = [
        (_("Basic information"), {"fields": [*BASIC_FIELDS, *LINK_FIELDS]}),
        (_("First round"), {"fields": ["first_interviewer", *ROUND_FIELDS["first"]]}),
        (_("Second round"), {"fields": ["second_interviewer", *ROUND_FIELDS["second"]]}),
        (_("HR round"), {"fields": ["hr_interviewer", *ROUND_FIELDS["hr"]]}),
        (_("Archive"), {"fields": ARCHIVE_FIELDS, "classes": ["collapse"]}),
    ]

    @admin.display(description=_("applied position"), ordering="job__title")
    def position(self, obj):
        return obj.position

    @admin.display(description=_("resume"))
    def resume_link(self, obj):
        """The linked resume and its attachment, through the permission-checked views."""
        if obj is None or obj.resume_id is None:
            return "-"
        return format_html(
            '<a href="{}" id="candidate-resume">{}</a> · <a href="{}" id="candidate-cv">{}</a>',
            reverse("jobs:resume_detail", args=[obj.resume_id]),
            gettext("Open the resume"),
            reverse("jobs:resume_file", args=[obj.resume_id, "attachment"]),
            gettext("Download the attachment"),
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.job_id is None:
            return fieldsets
        # Linked to a job: show its current title instead of the imported text.
        (title, options), *rest = fieldsets
        fields = ["position" if f == "apply_position" else f for f in options["fields"]]
        return [(title, {**options, "fields": fields}), *rest]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    # -- permissions -------------------------------------------------------------------------
    def has_export_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.export_candidate")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name and match.url_name.endswith("changelist"):
            qs = qs.defer(*LONG_FIELDS)
        if is_hr(request.user):
            return qs
        user = request.user
        return qs.filter(
            Q(first_interviewer=user) | Q(second_interviewer=user) | Q(hr_interviewer=user)
        )

    def get_readonly_fields(self, request, obj=None):
        user = request.user
        fixed = ["position", *LINK_FIELDS, *ARCHIVE_FIELDS]
        if is_hr(user):
            return fixed
        if obj is None:
            # Adding: anyone with the add permission enters the basic data; rounds come later.
            return [f for f in ALL_EDITABLE if f not in BASIC_FIELDS] + fixed
        editable = []
        for round_name, fields in ROUND_FIELDS.items():
            if getattr(obj, f"{round_name}_interviewer_id") == user.pk:
                editable.extend(fields)
        return [f for f in ALL_EDITABLE if f not in editable] + fixed

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_hr(request.user):
            filters += [(name, InterviewStaffListFilter) for name in INTERVIEWER_FIELDS]
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in INTERVIEWER_FIELDS:
            # Only active members of the interview groups can be assigned.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, groups__name__in=[HR_GROUP, INTERVIEWER_GROUP])
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.creator = request.user
            if not is_hr(request.user) and obj.first_interviewer_id is None:
                # An interviewer who adds a candidate interviews them first (and can see them).
                obj.first_interviewer = request.user
        super().save_model(request, obj, form, change)
