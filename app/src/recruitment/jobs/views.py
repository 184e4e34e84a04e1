import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ResumeForm, SignUpForm
from .models import City, Job, JobType, Resume

JOB_LIST_FIELDS = ("id", "title", "job_type", "city", "created")
RESUME_LIST_FIELDS = ("id", "name", "phone", "created", "modified", "job__id", "job__title")
PAGE_SIZE = 20


def job_list(request):
    """Public job list: one COUNT and one SELECT of the short columns, whatever the page size."""
    jobs = Job.objects.only(*JOB_LIST_FIELDS).order_by("-created", "-id")
    city = request.GET.get("city", "")
    job_type = request.GET.get("type", "")
    if city.isdigit():
        jobs = jobs.filter(city=int(city))
    if job_type.isdigit():
        jobs = jobs.filter(job_type=int(job_type))
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/job_list.html",
        {
            "page_obj": page,
            "cities": City.choices,
            "job_types": JobType.choices,
            "selected_city": city,
            "selected_type": job_type,
        },
    )


def job_detail(request, pk: int):
    job = get_object_or_404(Job.objects.defer("creator"), pk=pk)
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, pk: int):
    """Submit (or update) the logged-in applicant's resume for a job."""
    job = get_object_or_404(Job.objects.only(*JOB_LIST_FIELDS), pk=pk)
    existing = Resume.all_objects.filter(job=job, applicant=request.user).first()
    if request.method == "POST":
        form = ResumeForm(request.POST, request.FILES, instance=existing)
        if form.is_valid():
            resume = form.save(commit=False)
            resume.job = job
            resume.applicant = request.user
            resume.deleted_at = None
            resume.save()
            messages.success(request, _("Your resume has been submitted."))
            return redirect(resume)
    else:
        initial = {}
        if existing is None:
            initial = {"email": request.user.email, "name": request.user.get_full_name()}
        form = ResumeForm(instance=existing, initial=initial)
    return render(request, "jobs/resume_form.html", {"form": form, "job": job})


@login_required
def my_resumes(request):
    resumes = (
        Resume.objects.filter(applicant=request.user)
        .select_related("job")
        .only(*RESUME_LIST_FIELDS)
        .order_by("-created", "-id")
    )
    return render(request, "jobs/my_resumes.html", {"resumes": resumes})


def _visible_resume(request, pk: int) -> Resume:
    resume = get_object_or_404(Resume.objects.select_related("job"), pk=pk)
    if not resume.is_visible_to(request.user):
        # Do not reveal that the resume exists.
        raise Http404
    return resume


@login_required
def resume_detail(request, pk: int):
    resume = _visible_resume(request, pk)
    return render(request, "jobs/resume_detail.html", {"resume": resume})


@login_required
def resume_file(request, pk: int, kind: str):
    """Serve a resume's photo or attachment after the permission check (media is private)."""
    resume = _visible_resume(request, pk)
    field = {"photo": resume.photo, "attachment": resume.attachment}.get(kind)
    if not field:
        raise Http404
    filename = field.name.rsplit("/", 1)[-1]
    if settings.MEDIA_X_ACCEL_PREFIX and isinstance(field.storage, FileSystemStorage):
        # nginx sends the bytes from disk; Django only decided who may have them.
        response = HttpResponse(content_type=mimetypes.guess_type(filename)[0] or "")
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_PREFIX.rstrip("/") + "/" + field.name
        disposition = "attachment" if kind == "attachment" else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        return response
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=(kind == "attachment"), filename=filename)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("jobs:job_list")
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! You can now apply for jobs."))
            return redirect("jobs:job_list")
    else:
        form = SignUpForm()
    return render(request, "registration/signup.html", {"form": form})
