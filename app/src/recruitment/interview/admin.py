import csv
import logging
from datetime import datetime

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

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


@admin.action(description=_("Export selected candidates as CSV"), permissions=["export"])
def export_model_as_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="candidates-{stamp}.csv"'
    response.write("\ufeff")  # BOM so spreadsheet programs detect UTF-8 (Chinese names)
    writer = csv.writer(response)
    opts = Candidate._meta
    writer.writerow([str(opts.get_field(name).verbose_name) for name in EXPORT_FIELDS])
    rows = queryset.select_related(*INTERVIEWER_FIELDS).order_by("id")
    count = 0
    for candidate in rows.iterator(chunk_size=2000):
        row = []
        for name in EXPORT_FIELDS:
            value = getattr(candidate, name)
            if name in INTERVIEWER_FIELDS:
                value = value.get_username() if value else ""
            row.append("" if value is None else value)
        writer.writerow(row)
        count += 1
    logger.info("user %s exported %d candidates", request.user.get_username(), count)
    return response


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    actions = [export_model_as_csv]
    list_display = [
        "name",
        "phone",
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
    list_select_related = INTERVIEWER_FIELDS
    ordering = ["-created", "-id"]
    list_per_page = 50
    fieldsets = [
        (_("Basic information"), {"fields": BASIC_FIELDS}),
        (_("First round"), {"fields": ["first_interviewer", *ROUND_FIELDS["first"]]}),
        (_("Second round"), {"fields": ["second_interviewer", *ROUND_FIELDS["second"]]}),
        (_("HR round"), {"fields": ["hr_interviewer", *ROUND_FIELDS["hr"]]}),
    ]

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
        if is_hr(user):
            return []
        if obj is None:
            # Adding: anyone with the add permission enters the basic data; rounds come later.
            return [f for f in ALL_EDITABLE if f not in BASIC_FIELDS]
        editable = []
        for round_name, fields in ROUND_FIELDS.items():
            if getattr(obj, f"{round_name}_interviewer_id") == user.pk:
                editable.extend(fields)
        return [f for f in ALL_EDITABLE if f not in editable]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_hr(request.user):
            filters += INTERVIEWER_FIELDS
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
