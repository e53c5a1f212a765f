"""The talent-box module may import only the shared parts STYLE.md allows."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = (
    "app.kit",
    "app.web",
    "app.db",
    "app.config",
    "app.accounts",
    "app.audit",
    "app.exports.schema",
    "app.talentbox",
)


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return [n for n in names if n == "app" or n.startswith("app.")]


def test_talentbox_imports_only_allowed_shared_parts() -> None:
    offenders = {
        str(path.relative_to(ROOT)): module
        for path in (ROOT / "app" / "talentbox").rglob("*.py")
        for module in imported_modules(path)
        if not any(module == a or module.startswith(a + ".") for a in ALLOWED)
    }
    assert offenders == {}


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from app.delivery.models import Attempt\nimport app.scoring.service\n")
    assert imported_modules(bad) == ["app.delivery.models", "app.scoring.service"]
