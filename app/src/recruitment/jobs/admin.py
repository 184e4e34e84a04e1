from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from recruitment.core.admin import SoftDeleteAdmin

from .models import Job, Resume
from .services import move_resumes_to_interview


@admin.register(Job)
class JobAdmin(SoftDeleteAdmin):
    list_display = ["title", "job_type", "city", "creator", "created", "modified"]
    list_filter = ["job_type", "city"]
    search_fields = ["title"]
    list_select_related = ["creator"]
    exclude = ["creator"]
    readonly_fields = ["creator", "created", "modified"]
    ordering = ["-created", "-id"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name and match.url_name.endswith("changelist"):
            qs = qs.defer("responsibilities", "requirements")
        return qs

    def save_model(self, request, obj, form, change):
        if not change:
            obj.creator = request.user
        super().save_model(request, obj, form, change)


@admin.action(
    description=_("Move selected resumes into the interview process"), permissions=["move"]
)
def move_to_interview(modeladmin, request, queryset):
    result = move_resumes_to_interview(queryset, user=request.user)
    modeladmin.message_user(
        request,
        _(
            "%(created)d candidate(s) created, %(existing)d already in the interview process, "
            "%(archived)d archived."
        )
        % {"created": result.created, "existing": result.existing, "archived": result.archived},
        messages.SUCCESS,
    )


@admin.register(Resume)
class ResumeAdmin(SoftDeleteAdmin):
    actions = [move_to_interview]
    list_display = ["name", "phone", "job", "city", "degree", "bachelor_school", "created"]
    list_filter = ["degree", "job__city", "job__job_type"]
    search_fields = ["name", "=phone", "=email"]
    list_select_related = ["job"]
    ordering = ["-created", "-id"]
    exclude = ["photo", "attachment"]
    readonly_fields = ["applicant", "job", "photo_link", "attachment_link", "created", "modified"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name and match.url_name.endswith("changelist"):
            qs = qs.defer(
                "candidate_introduction",
                "work_experience",
                "project_experience",
                "job__responsibilities",
                "job__requirements",
            )
        return qs

    def has_move_permission(self, request) -> bool:
        return request.user.has_perm("interview.add_candidate")

    def has_add_permission(self, request) -> bool:
        # Resumes are submitted by applicants on the site.
        return False

    @admin.display(description=_("photo"))
    def photo_link(self, obj):
        if not obj.photo:
            return "-"
        url = reverse("jobs:resume_file", args=[obj.pk, "photo"])
        return format_html(
            '<a href="{}"><img src="{}" alt="" style="max-height:120px"></a>', url, url
        )

    @admin.display(description=_("attachment (PDF or DOCX)"))
    def attachment_link(self, obj):
        if not obj.attachment:
            return "-"
        url = reverse("jobs:resume_file", args=[obj.pk, "attachment"])
        return format_html('<a href="{}">{}</a>', url, obj.attachment.name.rsplit("/", 1)[-1])
