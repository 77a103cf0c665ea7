from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import sign_in_views, views
from accounts.forms import ChoosePasswordForm, SignInForm

app_name = "accounts"

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:user_id>/link/", views.user_link, name="user_link"),
    path("users/<int:user_id>/<slug:action>/", views.user_change, name="user_change"),
]

# Sign-in and sign-out keep Django's names (login, logout) so LOGIN_URL works unchanged. The
# set-password pages are Django's password-reset confirmation, reached by the one-time link an
# administrator's add or reset makes (accounts.services.set_password_path).
auth_patterns = [
    path("sign-in/", sign_in_views.SignInView.as_view(authentication_form=SignInForm), name="login"),
    # The second step for directors and administrators, and sign-in through the council (docs/sign-in.md).
    path("sign-in/code/", sign_in_views.second_factor_verify, name="second_factor"),
    path("sign-in/set-up-app/", sign_in_views.second_factor_enrol, name="second_factor_enrol"),
    path("sign-in/recovery-codes/", sign_in_views.recovery_codes, name="recovery_codes"),
    path("sign-in/council/", sign_in_views.sso_start, name="sso_start"),
    path("sign-in/council/done/", sign_in_views.sso_callback, name="sso_callback"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/set_password.html",
            success_url=reverse_lazy("set_password_done"),
            form_class=ChoosePasswordForm,
        ),
        name="set_password",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/set_password_done.html"),
        name="set_password_done",
    ),
]
