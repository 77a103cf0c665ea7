from django.urls import path

from savings import views

app_name = "savings"

urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("plan/", views.plan_edit, name="plan"),
    path("new/", views.saving_new, name="saving_new"),
    path("<int:saving_id>/", views.saving_detail, name="saving"),
    path("<int:saving_id>/change/", views.saving_edit, name="saving_edit"),
    path("<int:saving_id>/progress/", views.saving_update_new, name="saving_update"),
    path("<int:saving_id>/reprofile/", views.saving_reprofile, name="saving_reprofile"),
    path("<int:saving_id>/mitigation/", views.mitigation_new, name="mitigation_new"),
    path("programmes/new/", views.programme_edit, name="programme_new"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/change/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:programme_id>/profiles/", views.programme_profiles, name="programme_profiles"),
    path("programmes/<int:programme_id>/investment/", views.programme_investment_new, name="programme_investment"),
]
