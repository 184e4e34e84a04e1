"""Who may do what in the interview process."""

from .models import HR_GROUP, INTERVIEWER_GROUP


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_recruitment_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if user.pk else frozenset()
        user._recruitment_groups = cached
    return cached


def is_hr(user) -> bool:
    """Superusers and members of the "hr" group see and assign everything."""
    return bool(user.is_active and (user.is_superuser or HR_GROUP in _group_names(user)))


def is_interviewer(user) -> bool:
    return bool(user.is_active and INTERVIEWER_GROUP in _group_names(user))
