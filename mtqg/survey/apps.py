from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyConfig(AppConfig):
    name = "mtqg.survey"
    label = "survey"
    verbose_name = _("Rà soát hộ nghèo hằng năm")
