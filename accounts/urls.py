from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
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
    path(
        "sign-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
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
