"""OCOP API: the summary report as JSON (same parameters and scope as the command) and the product list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.reports.api import report_response, report_schema

from .models import Product
from .selectors import ProductFilters, product_list


@report_schema
@api_view(["GET"])
def summary(request: Request) -> Response:
    """GET /api/v1/ocop/summary/?unit=&as_of= — products by star and group, subjects, e-commerce share, expiring."""
    return report_response(request, "ocop-summary")


class ProductSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="subject.name", read_only=True)
    subject_kind = serializers.CharField(source="subject.kind", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True)
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    path = serializers.CharField(source="commune.path", read_only=True)
    stars = serializers.IntegerField(source="current_rating.stars", read_only=True, default=None)
    total = serializers.IntegerField(source="current_rating.total", read_only=True, default=None)
    decision_date = serializers.DateField(source="current_rating.decision_date", read_only=True, default=None)
    valid_to = serializers.DateField(source="current_rating.valid_to", read_only=True, default=None)
    on_ecommerce = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "group",
            "subject",
            "subject_kind",
            "commune",
            "commune_code",
            "path",
            "stars",
            "total",
            "decision_date",
            "valid_to",
            "on_ecommerce",
            "is_published",
        ]


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """OCOP products visible to the user; filters `stars`, `group`, `commune` (id), `channel`, `q`."""

    serializer_class = ProductSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Product]:
        return product_list(self.request.user, ProductFilters.from_query(self.request.query_params))
