from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from recruitment.jobs import views as job_views

admin.site.site_header = _("Recruitment administration")
admin.site.site_title = _("Recruitment")
admin.site.index_title = _("Recruitment")

urlpatterns = [
    path("", include("recruitment.core.urls")),
    path("", include("django_prometheus.urls")),  # /metrics (restricted by nginx)
    path("i18n/", include("django.conf.urls.i18n")),  # set_language
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", job_views.signup, name="signup"),
    # Password reset by e-mail (sent through EMAIL_URL in production).
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt"
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The admin's login page links here ("Forgotten your password?"): the site's reset page.
    path(
        f"{settings.ADMIN_URL}password_reset/",
        RedirectView.as_view(pattern_name="password_reset"),
        name="admin_password_reset",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("recruitment.jobs.urls")),
]
