"""The production code does not import the test helpers, which the wheel leaves out."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parents[2]  # src/recruitment


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


class ProductionImportsTests(SimpleTestCase):
    def test_no_production_module_imports_recruitment_testing(self):
        shipped = [
            path
            for path in PACKAGE.rglob("*.py")
            if "tests" not in path.relative_to(PACKAGE).parts
            and path.relative_to(PACKAGE).parts[0] != "testing"
        ]
        self.assertGreater(len(shipped), 30)
        offenders = {
            str(path.relative_to(PACKAGE)): sorted(
                name for name in imported_modules(path) if name.startswith("recruitment.testing")
            )
            for path in shipped
        }
        self.assertEqual({k: v for k, v in offenders.items() if v}, {})
