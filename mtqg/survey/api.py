"""Field app API: download an enumerator's villages, upload a batch of surveys, preview a form's class."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.core.api.errors import bad_request
from mtqg.core.scoping import get_visible_or_404
from mtqg.reports.api import json_body_schema

from .models import CampaignHousehold
from .services import item_evaluate
from .sync import download, sync_batch


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def download_view(request: Request) -> Response:
    """The open campaign households of the user's villages, with the forms and standards to fill them offline."""
    return Response(download(request.user))


@json_body_schema
@api_view(["POST"])
def sync_view(request: Request) -> Response:
    """POST {"device_id", "items": [{"client_id", "household", "base_version", "answers", "members"?,
    "entered_at"?}]} → per item: saved / conflict / error (Vietnamese message). Idempotent on client_id."""
    data = request.data if isinstance(request.data, dict) else {}
    try:
        result = sync_batch(
            actor=request.user, device_id=str(data.get("device_id", "")), items=data.get("items")
        )
    except (
        PermissionDenied
    ) as exc:  # in the API's one error format (core/api/errors.py), like every other 403
        raise ApiPermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        return bad_request({"items": exc.messages})
    return Response(result)


@json_body_schema
@api_view(["POST"])
def preview_view(request: Request) -> Response:
    """POST {"household": campaign household id, "answers": {...}} → class, reasons, B1 score, missing answers."""
    data = request.data if isinstance(request.data, dict) else {}
    item = get_visible_or_404(
        CampaignHousehold.objects.select_related("campaign__form", "campaign__commune", "household"),
        request.user,
        pk=data.get("household"),
    )
    answers = data.get("answers")
    if not isinstance(answers, dict):
        return bad_request({"answers": ["Thiếu câu trả lời của phiếu."]})
    try:
        return Response(item_evaluate(item, answers).as_api())
    except ValidationError as exc:
        return bad_request({"answers": exc.messages})
