from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import ADMINISTRATORS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import Role, User
from accounts.services import user_role_change


@role_required(*ADMINISTRATORS)
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    if request.method == "POST":
        target = get_object_or_404(User, pk=request.POST.get("user_id"), authority=authority)
        role = request.POST.get("role", "")
        if role not in Role.values:
            messages.error(request, "Choose a role.")
        else:
            actor = request.user
            user_role_change(user=target, role=role, changed_by=actor, reason=request.POST.get("reason", ""))
            messages.success(request, f"{target.username} is now {Role(role).label}.")
        return redirect("accounts:users")
    people = User.objects.filter(authority=authority).order_by("username")
    return render(request, "accounts/users.html", {"people": people, "roles": Role.choices})
