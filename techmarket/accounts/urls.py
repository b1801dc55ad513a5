from django.contrib.auth import views as auth_views
from django.urls import path

from . import twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register, name="register"),
    path("register/done/", views.registered, name="registered"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-resend/", views.resend_verification, name="resend_verification"),
    path("tokens/", views.tokens, name="tokens"),
    path("sessions/", views.sessions, name="sessions"),
    path("my-data/", views.my_data, name="my_data"),
    path("delete/", views.delete_account, name="delete_account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/setup/", twofactor_views.setup, name="two_factor_setup"),
    path("2fa/verify/", twofactor_views.verify, name="two_factor_verify"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
