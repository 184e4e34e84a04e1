from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/apply/", views.apply, name="apply"),
    path("resumes/", views.my_resumes, name="my_resumes"),
    path("resumes/<int:pk>/", views.resume_detail, name="resume_detail"),
    path(
        "resumes/<int:pk>/<str:kind>/",
        views.resume_file,
        name="resume_file",
    ),
]
