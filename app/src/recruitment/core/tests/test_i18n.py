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


class ChoiceLabelTests(SimpleTestCase):
    """Every choice of a field reads differently from the others, in both languages: no label
    equals another or is contained in it (Pending/On hold once read 待定 and 待定（保留）)."""

    def test_choice_labels_are_distinct_in_both_languages(self):
        from django.apps import apps

        checked = 0
        models = [
            *apps.get_app_config("interview").get_models(),
            *apps.get_app_config("jobs").get_models(),
        ]
        for model in models:
            for field in model._meta.get_fields():
                choices = getattr(field, "flatchoices", None)
                if not choices:
                    continue
                for language in ("en", "zh-hans"):
                    with translation.override(language):
                        labels = [str(label) for _, label in choices]
                    for i, a in enumerate(labels):
                        for b in labels[i + 1 :]:
                            self.assertFalse(
                                a in b or b in a, (model.__name__, field.name, language, a, b)
                            )
                    checked += 1
        self.assertGreaterEqual(checked, 2 * 8)

    def test_round_results_in_chinese(self):
        from recruitment.interview.models import HRResult, RoundResult

        with translation.override("zh-hans"):
            self.assertEqual(str(RoundResult.PENDING.label), "尚无结果")
            self.assertEqual(str(RoundResult.ON_HOLD.label), "暂缓决定")
            self.assertEqual(str(HRResult.HIRE.label), "录用")

    def test_every_message_is_translated(self):
        po = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
        text = po.read_text(encoding="utf-8")
        self.assertNotIn("#, fuzzy", text)
        entries = text.split("\n\n")[1:]
        empty = [e for e in entries if e.rstrip().endswith('msgstr ""')]
        self.assertEqual(empty, [])
