"""Routes stay thin: a routes module (routes.py, *_routes.py, api.py) in app/ asks a
repository or a view model, and never queries itself (docs/architecture.md, "Queries live in
repository.py")."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY_METHODS = {"execute", "scalars", "scalar"}
# "app/x/routes.py" → why it may query; keep it empty where possible.
ALLOWED: dict[str, str] = {
    "app/web/routes.py": "/healthz asks the database for SELECT 1: the probe is the query",
}


def route_modules(app_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in app_dir.rglob("*.py")
        if p.name in ("routes.py", "api.py") or p.name.endswith("_routes.py")
    )


def queries_in(path: Path) -> list[str]:
    """ "line: what" for each `select(…)` or `<session>.execute / scalars / scalar(…)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "select":
            found.append(f"{node.lineno}: select(")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
            found.append(f"{node.lineno}: .{node.func.attr}(")
    return found


def test_no_routes_module_queries_the_database() -> None:
    offenders = {
        str(p.relative_to(ROOT)): queries_in(p)
        for p in route_modules(ROOT / "app")
        if queries_in(p) and str(p.relative_to(ROOT)) not in ALLOWED
    }
    assert offenders == {}


def test_the_check_finds_queries_in_a_route(tmp_path: Path) -> None:
    routes = tmp_path / "app" / "x" / "routes.py"
    routes.parent.mkdir(parents=True)
    routes.write_text(
        "def page(db):\n"
        "    rows = db.scalars(select(Event))\n"
        "    return db.execute(text('x')), repository.events(db)\n"
    )
    (tmp_path / "app" / "x" / "views.py").write_text("db.execute(select(Event))\n")
    assert route_modules(tmp_path / "app") == [routes]
    assert sorted(queries_in(routes)) == ["2: .scalars(", "2: select(", "3: .execute("]


# --- templates print prepared values ------------------------------------------------------------
# A template line past this length is display logic in Jinja (conditions, labels, URLs built
# inline) or markup nobody can review; view models (e.g. app/scoring/pages.py) prepare the
# values and the template prints them on readable lines. Long translated sentences are split
# into adjacent literals, which Jinja joins into one msgid.
TEMPLATE_LINE_LIMIT = 200
# "templates/x.html:line" → why it may be longer; keep it empty where possible.
LONG_TEMPLATE_LINES: dict[str, str] = {}


def long_template_lines(templates_dir: Path) -> list[str]:
    return [
        f"{path.relative_to(templates_dir.parent)}:{number}"
        for path in sorted(templates_dir.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > TEMPLATE_LINE_LIMIT
    ]


def test_no_template_line_is_longer_than_the_limit() -> None:
    offenders = [
        where
        for where in long_template_lines(ROOT / "templates")
        if where not in LONG_TEMPLATE_LINES
    ]
    assert offenders == [], f"over {TEMPLATE_LINE_LIMIT} characters: move the logic to a view model"


def test_the_check_finds_a_long_template_line(tmp_path: Path) -> None:
    page = tmp_path / "templates" / "x" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>short</p>\n" + "<td>{% if a %}" + "x" * 200 + "{% endif %}</td>\n")
    assert long_template_lines(tmp_path / "templates") == ["templates/x/page.html:2"]
