"""Admin support for archived (soft-deleted) rows: a filter, archive and restore with audit."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Read-only audit columns of TimeStampedSoftDeleteModel.
ARCHIVE_FIELDS = ["deleted_at", "deleted_by", "restored_at", "restored_by"]


class ArchivedListFilter(admin.SimpleListFilter):
    """Live rows by default; archived ones, or both, on request."""

    title = _("archive")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("yes", _("Archived")), ("all", _("Live and archived"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Live"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


@admin.action(description=_("Restore selected archived rows"), permissions=["delete"])
def restore_selected(modeladmin, request, queryset):
    restored, refused = 0, []
    for obj in queryset.filter(deleted_at__isnull=False).order_by("pk"):
        try:
            obj.restore(user=request.user)
        except ValidationError as exc:
            refused.append(f"{obj}: {' '.join(exc.messages)}")
        else:
            restored += 1
    modeladmin.message_user(
        request,
        ngettext("%(count)d row restored.", "%(count)d rows restored.", restored)
        % {"count": restored},
        messages.SUCCESS,
    )
    for reason in refused:
        modeladmin.message_user(request, _("Not restored: %s") % reason, messages.WARNING)


class SoftDeleteAdmin(admin.ModelAdmin):
    """ "Delete" archives: the row and everything pointing at it stay (no PROTECT refusal).

    Users who may delete (HR) also see archived rows through the "archive" filter and can
    restore them; who archived or restored a row, and when, is shown on its page.
    """

    def can_see_archive(self, request) -> bool:
        return self.has_delete_permission(request)

    def get_queryset(self, request):
        if not self.can_see_archive(request):
            return super().get_queryset(request)
        # The archive filter narrows this to live rows unless asked otherwise; change and
        # history pages of an archived row work as well.
        qs = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.can_see_archive(request):
            filters.append(ArchivedListFilter)
        return filters

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.can_see_archive(request):
            actions["restore_selected"] = self.get_action(restore_selected)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in ARCHIVE_FIELDS if f not in fields]

    def get_deleted_objects(self, objs, request):
        # Nothing cascades and nothing is protected: only the rows themselves are archived.
        objs = list(objs)
        to_archive = [str(obj) for obj in objs]
        model_count = {self.opts.verbose_name_plural: len(objs)} if objs else {}
        perms_needed = set() if self.has_delete_permission(request) else {self.opts.verbose_name}
        return to_archive, model_count, perms_needed, []

    def delete_model(self, request, obj):
        obj.archive(user=request.user)

    def delete_queryset(self, request, queryset):
        queryset.archive(user=request.user)
