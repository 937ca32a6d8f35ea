"""OCOP API: the product list and scoped read viewsets of subjects, ratings and sales channels. The summary report
is at /api/v1/reports/ocop-summary/."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from rest_framework import serializers, viewsets

from mtqg.core.api.filters import TextSearchFilter
from mtqg.core.api.viewsets import ScopedReadOnlyModelViewSet
from mtqg.geo.api import CommuneFields, ScopedFilterSet

from .models import Product, Rating, SalesChannel, Subject
from .selectors import ProductFilters, product_list


class ProductSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="subject.name", read_only=True)
    subject_kind = serializers.CharField(source="subject.kind", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True)
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    path = serializers.CharField(source="commune.path", read_only=True)
    stars = serializers.IntegerField(
        source="current_rating.stars", read_only=True, default=None, allow_null=True
    )
    total = serializers.IntegerField(
        source="current_rating.total", read_only=True, default=None, allow_null=True
    )
    decision_date = serializers.DateField(
        source="current_rating.decision_date", read_only=True, default=None, allow_null=True
    )
    valid_to = serializers.DateField(
        source="current_rating.valid_to", read_only=True, default=None, allow_null=True
    )
    on_ecommerce = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "version",
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


# --- Read API: scoped viewsets registered in mtqg/api/router.py ------------------------------------------------


class SubjectSerializer(CommuneFields, serializers.ModelSerializer):
    """The contact shown on the product page (name, phone, e-mail); the tax code is not shown there, nor here."""

    products = serializers.IntegerField(source="product_count", read_only=True)

    class Meta:
        model = Subject
        fields = [
            "id",
            "name",
            "kind",
            "commune",
            "commune_code",
            "commune_name",
            "path",
            "address",
            "contact_name",
            "phone",
            "email",
            "products",
        ]


class SubjectFilter(ScopedFilterSet):
    q = TextSearchFilter(
        ("name", "address", "contact_name"), exact=("tax_code",), label="Tên chủ thể (có hoặc không dấu)"
    )

    class Meta:
        model = Subject
        fields = ["unit", "kind", "commune", "q"]


class SubjectViewSet(ScopedReadOnlyModelViewSet):
    """OCOP subjects (producers) of the visible communes, with their number of products."""

    serializer_class = SubjectSerializer
    filterset_class = SubjectFilter
    queryset = (
        Subject.objects.select_related("commune")
        .annotate(product_count=Count("products"))
        .order_by("name", "pk")
    )


# Which product a row (rating, sales channel) is about, and where the product is made.
class _ProductFields(serializers.Serializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    commune_code = serializers.CharField(source="product.commune.code", read_only=True)
    path = serializers.CharField(source="product.commune.path", read_only=True)


class RatingSerializer(_ProductFields, serializers.ModelSerializer):
    ruleset = serializers.CharField(source="ruleset.code", read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "product",
            "product_name",
            "commune_code",
            "path",
            "ruleset",
            "round_year",
            "round_label",
            "score_a",
            "score_b",
            "score_c",
            "criteria",
            "total",
            "stars",
            "council_level",
            "decision_number",
            "decision_date",
            "valid_to",
            "note",
        ]


class RatingFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="round_year", label="Năm đánh giá")
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Giấy chứng nhận còn hiệu lực ngày")

    class Meta:
        model = Rating
        fields = ["unit", "year", "stars", "council_level", "product", "valid_on"]

    def filter_valid_on(self, qs: Any, name: str, value: Any) -> Any:
        return qs.filter(decision_date__lte=value, valid_to__gte=value)


class RatingViewSet(ScopedReadOnlyModelViewSet):
    """Every rating round (scores, star, decision, certificate validity) of the visible products."""

    serializer_class = RatingSerializer
    filterset_class = RatingFilter
    queryset = Rating.objects.select_related("product__commune", "ruleset").order_by("-decision_date", "-pk")


class SalesChannelSerializer(_ProductFields, serializers.ModelSerializer):
    class Meta:
        model = SalesChannel
        fields = [
            "id",
            "product",
            "product_name",
            "commune_code",
            "path",
            "kind",
            "name",
            "url",
            "status",
            "listed_on",
            "promotion_program",
            "promotion_amount",
            "sales_year",
            "sales_amount",
        ]


class SalesChannelFilter(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="sales_year", label="Năm doanh số")

    class Meta:
        model = SalesChannel
        fields = ["unit", "kind", "status", "year", "product"]


class SalesChannelViewSet(ScopedReadOnlyModelViewSet):
    """Sales channels (e-commerce, own shop, supermarket, export) of the visible products; amounts in VND."""

    serializer_class = SalesChannelSerializer
    filterset_class = SalesChannelFilter
    queryset = SalesChannel.objects.select_related("product__commune").order_by(
        "product__name", "kind", "name", "pk"
    )
