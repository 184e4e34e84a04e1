from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation


class TranslationTests(SimpleTestCase):
    def test_compiled_catalog_is_committed(self):
        locale = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
        self.assertTrue((locale / "django.po").exists())
        self.assertTrue((locale / "django.mo").exists())

    def test_chinese(self):
        with translation.override("zh-hans"):
            self.assertEqual(translation.gettext("Open positions"), "招聘职位")

    def test_english(self):
        with translation.override("en"):
            self.assertEqual(translation.gettext("Open positions"), "Open positions")
