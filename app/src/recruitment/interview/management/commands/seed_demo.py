"""Create demo jobs, role users and candidates. Idempotent: a second run changes nothing."""

import os
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from recruitment.interview.models import HR_GROUP, INTERVIEWER_GROUP, Candidate
from recruitment.interview.permissions import ensure_groups
from recruitment.jobs.models import City, Degree, Job, JobType

LOCAL_DEFAULT_PASSWORD = "demo-password-LOCAL-ONLY"

DEMO_USERS = [
    # username, group, is_staff
    ("demo_hr", HR_GROUP, True),
    ("demo_interviewer1", INTERVIEWER_GROUP, True),
    ("demo_interviewer2", INTERVIEWER_GROUP, True),
    ("demo_applicant", None, False),
]

DEMO_JOBS = [
    (JobType.TECHNOLOGY, "Python 后端工程师", City.BEIJING),
    (JobType.TECHNOLOGY, "运维开发工程师 (SRE)", City.SHANGHAI),
    (JobType.PRODUCT, "产品经理", City.SHENZHEN),
    (JobType.DESIGN, "UI 设计师", City.HANGZHOU),
    (JobType.OPERATIONS, "用户运营", City.CHENGDU),
    (JobType.MARKETING, "市场经理", City.BEIJING),
]

RESPONSIBILITIES = "负责相关业务的设计、开发与持续改进。\n与团队协作交付高质量成果。"
REQUIREMENTS = "本科及以上学历，三年以上相关经验。\n良好的沟通能力与责任心。"

DEMO_CANDIDATES = [
    ("张伟", "13800000001", "zhangwei@example.com", "北京", "清华大学", Degree.MASTER),
    ("王芳", "13800000002", "wangfang@example.com", "上海", "复旦大学", Degree.BACHELOR),
    ("李娜", "13800000003", "lina@example.com", "深圳", "中山大学", Degree.MASTER),
    ("刘洋", "13800000004", "liuyang@example.com", "杭州", "浙江大学", Degree.DOCTOR),
    ("陈静", "13800000005", "chenjing@example.com", "成都", "四川大学", Degree.BACHELOR),
    ("杨磊", "13800000006", "yanglei@example.com", "北京", "北京大学", Degree.MASTER),
]


class Command(BaseCommand):
    help = "Create demo jobs, HR/interviewer/applicant users and candidates (idempotent)."
    # call_command(..., stdin=...) in the tests, as Django's createsuperuser takes it.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for new demo users (default: $DJANGO_DEMO_PASSWORD).",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input, where no process "
            "list shows it (playbooks/manage.yml passes it this way).",
        )

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("DJANGO_DEMO_PASSWORD")
        if options["password_stdin"]:
            password = options.get("stdin", sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input held no password.")
        if not password:
            if getattr(settings, "RECRUITMENT_ENVIRONMENT", "") == "production":
                raise CommandError(
                    "Refusing to create demo users without a password in production: "
                    "set DJANGO_DEMO_PASSWORD or pass --password."
                )
            password = LOCAL_DEFAULT_PASSWORD
            self.stdout.write(f"Using the local default demo password {password!r}.")

        created = {"users": 0, "jobs": 0, "candidates": 0}
        with transaction.atomic():
            groups = ensure_groups()
            users = {}
            User = get_user_model()
            for username, group_name, is_staff in DEMO_USERS:
                user, was_created = User.objects.get_or_create(
                    username=username,
                    defaults={"is_staff": is_staff, "email": f"{username}@example.com"},
                )
                if was_created:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                    created["users"] += 1
                if group_name and not user.groups.filter(name=group_name).exists():
                    user.groups.add(groups[group_name])
                users[username] = user

            jobs = []
            for job_type, title, city in DEMO_JOBS:
                # An archived posting may have been published again: prefer the live one, and
                # leave an archived demo job archived.
                job = (
                    Job.all_objects.filter(job_type=job_type, title=title, city=city)
                    .order_by(F("deleted_at").asc(nulls_first=True), "id")
                    .first()
                )
                if job is None:
                    job = Job.objects.create(
                        job_type=job_type,
                        title=title,
                        city=city,
                        responsibilities=RESPONSIBILITIES,
                        requirements=REQUIREMENTS,
                        creator=users["demo_hr"],
                    )
                    created["jobs"] += 1
                jobs.append(job)

            interviewers = [users["demo_interviewer1"], users["demo_interviewer2"]]
            for index, (name, phone, email, city, school, degree) in enumerate(DEMO_CANDIDATES):
                _, was_created = Candidate.all_objects.get_or_create(
                    phone=phone,
                    defaults={
                        "name": name,
                        "email": email,
                        "city": city,
                        "bachelor_school": school,
                        "degree": degree,
                        "job": jobs[index % len(jobs)],
                        "first_interviewer": interviewers[index % 2],
                        "second_interviewer": interviewers[(index + 1) % 2],
                        "hr_interviewer": users["demo_hr"],
                        "creator": users["demo_hr"],
                    },
                )
                created["candidates"] += was_created

        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: {users} user(s), {jobs} job(s), {candidates} candidate(s) "
                "created.".format(**created)
            )
        )
