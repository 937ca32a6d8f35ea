from django.urls import path

from . import views

app_name = "ocop"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("summary/", views.summary, name="summary"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
