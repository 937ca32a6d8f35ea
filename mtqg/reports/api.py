"""Serve any catalog report as JSON over the API, with the same parameters and scope as everything else."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from mtqg.accounts.scoping import path_visible
from mtqg.api.errors import bad_request

from .catalog import get_report
from .params import parse_params


def report_response(request: Request, slug: str) -> Response:
    """400 with field messages for bad parameters; 404 for a unit outside the user's scope."""
    try:
        params = parse_params(request.query_params.dict())
    except ValidationError as exc:
        return bad_request({k: list(v) for k, v in exc.message_dict.items()})
    if not path_visible(request.user, params.unit.path):
        raise Http404(_("Không tìm thấy đơn vị hoặc bạn không có quyền xem."))
    return Response(get_report(slug)(request.user, params))
