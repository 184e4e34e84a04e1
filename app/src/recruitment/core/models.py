"""Abstract bases for business tables: timestamps and soft delete (archiving)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Columns a model may use to keep a unique key to live rows only (see Job.live and README.md):
# model validation of constraints must see them even though no form edits them.
LIVE_MARKER_FIELDS = frozenset({"deleted_at", "live"})


def live_marker():
    """A stored generated column that is 1 for a live row and NULL for an archived one.

    MariaDB has no partial unique index; a unique constraint on (key..., live) holds only
    among live rows there and on SQLite alike, because NULLs are distinct in unique indexes.
    """
    return models.GeneratedField(
        expression=models.Case(
            models.When(deleted_at__isnull=True, then=models.Value(1)),
            default=None,
            output_field=models.PositiveSmallIntegerField(),
        ),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
        verbose_name=_("live"),
    )


def user_reference(verbose_name, *, editable=True):
    """An optional link to a user that outlives the user (SET_NULL) and adds no reverse accessor:
    creators, interviewers, and who archived or restored a row."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=editable,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class SoftDeleteQuerySet(models.QuerySet):
    def delete(self):
        """Soft delete: mark the rows, keep them for audit."""
        return self.archive()

    def archive(self, user=None):
        return self.filter(deleted_at__isnull=True).update(
            deleted_at=timezone.now(), deleted_by=user, modified=timezone.now()
        )

    def hard_delete(self):
        return super().delete()

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def dead(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Default manager: hides soft-deleted rows."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllObjectsManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Every row, soft-deleted ones included."""


class TimeStampedSoftDeleteModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    modified = models.DateTimeField(_("modified"), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    deleted_by = user_reference(_("archived by"), editable=False)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True, editable=False)
    restored_by = user_reference(_("restored by"), editable=False)

    objects = AliveManager()
    all_objects = AllObjectsManager()

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "all_objects"

    def delete(self, using=None, keep_parents=False):
        self.archive()
        return 1, {self._meta.label: 1}

    def archive(self, user=None) -> None:
        """Soft delete: the row and everything that points at it stay."""
        self.deleted_at = timezone.now()
        self.deleted_by = user
        self.save(update_fields=["deleted_at", "deleted_by", "modified"])

    def restore(self, user=None) -> None:
        """Bring an archived row back. Raises ValidationError when a live row now holds one of
        its unique keys (e.g. a job re-published under the same title), changing nothing."""
        archived_at = self.deleted_at
        self.deleted_at = None
        try:
            self.validate_constraints()
        except Exception:
            self.deleted_at = archived_at
            raise
        self.restored_at = timezone.now()
        self.restored_by = user
        self.save(update_fields=["deleted_at", "restored_at", "restored_by", "modified"])

    def validate_constraints(self, exclude=None):
        # Forms exclude the non-editable live marker, which would skip the live-only unique
        # constraints altogether (and let the database answer with an IntegrityError).
        if exclude:
            exclude = set(exclude) - LIVE_MARKER_FIELDS
        super().validate_constraints(exclude=exclude)

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
