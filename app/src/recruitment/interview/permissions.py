"""Model permissions each role group gets (used by seed_demo and by the tests)."""

from django.contrib.auth.models import Group, Permission

from .models import HR_GROUP, INTERVIEWER_GROUP

GROUP_PERMISSIONS = {
    HR_GROUP: [
        "jobs.add_job",
        "jobs.change_job",
        "jobs.view_job",
        "jobs.delete_job",
        "jobs.view_resume",
        "jobs.change_resume",
        "jobs.delete_resume",
        "interview.add_candidate",
        "interview.change_candidate",
        "interview.view_candidate",
        "interview.delete_candidate",
        "interview.export_candidate",
    ],
    INTERVIEWER_GROUP: [
        "interview.add_candidate",
        "interview.change_candidate",
        "interview.view_candidate",
    ],
}


def ensure_groups() -> dict[str, Group]:
    """Create the role groups with their permissions; idempotent."""
    groups = {}
    for name, perm_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set()
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".")
            wanted.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        missing = wanted - set(group.permissions.all())
        if missing:
            group.permissions.add(*missing)
        groups[name] = group
    return groups
