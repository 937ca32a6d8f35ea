from django.urls import path

from . import entry_views, views

app_name = "ocop"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("summary/", views.summary, name="summary"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("subjects/new/", entry_views.subject_new, name="subject-new"),
    path("products/new/", entry_views.product_new, name="product-new"),
    path("products/<int:pk>/rate/", entry_views.rating_new, name="rating-new"),
    path("products/<int:pk>/channels/new/", entry_views.channel_new, name="channel-new"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
