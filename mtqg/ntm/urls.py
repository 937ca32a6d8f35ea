from django.urls import path

from . import views

app_name = "ntm"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("assessments/<int:pk>/", views.scorecard, name="scorecard"),
    path("assessments/<int:pk>/override/", views.override, name="override"),
    path("template.xlsx", views.template_download, name="template"),
    path("import/", views.import_view, name="import"),
    path("criteria/", views.criteria_sets, name="criteria_sets"),
    path("criteria/<int:pk>/", views.criteria_set_detail, name="criteria_set"),
]
