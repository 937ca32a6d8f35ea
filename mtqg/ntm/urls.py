from django.urls import path

from . import authoring_views, programme_views, views

app_name = "ntm"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("assessments/<int:pk>/", views.scorecard, name="scorecard"),
    path("assessments/<int:pk>/override/", views.override, name="override"),
    path("assessments/<int:pk>/recognitions/", views.recognition_create, name="recognition_create"),
    path("recognitions/", views.recognitions, name="recognitions"),
    path("recognitions/<int:pk>/revoke/", views.recognition_revoke, name="recognition_revoke"),
    path("values/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    path("values/<int:pk>/evidence/upload/", views.evidence_upload, name="evidence_upload"),
    path("digital/", views.digital_gaps, name="digital"),
    path("template.xlsx", views.template_download, name="template"),
    path("import/", views.import_view, name="import"),
    path("groups/", views.commune_groups, name="groups"),
    path("groups/template.xlsx", views.commune_groups_template, name="groups_template"),
    path("thresholds/<int:pk>/confirm/", views.threshold_confirm, name="threshold_confirm"),
    path("criteria/", views.criteria_sets, name="criteria_sets"),
    path("criteria/<int:pk>/", views.criteria_set_detail, name="criteria_set"),
    path("criteria/<int:pk>/recompute/", views.criteria_set_recompute, name="criteria_set_recompute"),
    path("provincial-sets/", authoring_views.provincial_sets, name="provincial_sets"),
    path("provincial-sets/new/", authoring_views.provincial_set_new, name="provincial_set_new"),
    path("provincial-sets/import/", authoring_views.provincial_set_import, name="provincial_set_import"),
    path("provincial-sets/<int:pk>/", authoring_views.provincial_set, name="provincial_set"),
    path(
        "provincial-sets/<int:pk>/decision/",
        authoring_views.provincial_set_decision,
        name="provincial_set_decision",
    ),
    path(
        "provincial-sets/<int:pk>/<str:action>/",
        authoring_views.provincial_set_action,
        name="provincial_set_action",
    ),
    path("criteria/<int:pk>/export.xlsx", authoring_views.provincial_set_export, name="criteria_set_export"),
    path("programme/", programme_views.programme_page, name="programme"),
    path("programme/tier-targets/", programme_views.tier_target_add, name="tier_target_add"),
    path(
        "programme/tier-targets/<int:pk>/remove/",
        programme_views.tier_target_remove,
        name="tier_target_remove",
    ),
    path("programme/context/", programme_views.context_set, name="context_set"),
    path("programme/targets/<int:pk>/", programme_views.target_set, name="target_set"),
    path("policies/<int:pk>/", programme_views.policy_set, name="policy_set"),
]
