"""No import cycles between the domains of app/: each imports only the layers below it
(docs/architecture.md, "Layers"), and no core domain imports the optional talent box.

The graph is read from the source with `ast`, every import counted wherever it stands (a
function-level import is still a dependency)."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

# Lowest first: a domain may import the domains of earlier layers only. A new package under
# app/ must be placed here (the test says so).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kit",),  # small shared helpers
    ("web",),  # request plumbing, templates, labels
    ("throttle", "audit"),  # guessing limits; the audit log every domain writes to
    ("bank", "psychometrics"),  # question bank; item response models (pure numpy)
    ("adaptive",),  # the adaptive engine, pure functions
    ("exams",),  # events, sessions, participants, forms
    ("accounts",),  # staff accounts and their role checks
    ("readiness",),  # the PC readiness check
    ("delivery",),  # the attempt: its clock, answers, the room's messages it shows
    ("proctoring",),  # the proctor's console, acting on attempts through delivery
    ("scoring",),  # runs, norms, item analysis, the official's self-view
    ("exports",),  # the scores export
    ("privacy", "sync"),  # compose the domains below; none imports them
    ("talentbox",),  # optional, with its own edge (tests/talentbox/test_boundary.py)
)
OPTIONAL = "talentbox"
LAYER_OF = {domain: i for i, layer in enumerate(LAYERS) for domain in layer}


def _imported(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative ones made absolute."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "app":  # from app import scoring
                found += [(node.lineno, f"app.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def domains() -> list[str]:
    return sorted(p.name for p in APP.iterdir() if (p / "__init__.py").is_file())


def import_graph(app_dir: Path = APP) -> dict[tuple[str, str], list[str]]:
    """(importing domain, imported domain) → where: "app/x/y.py:12"."""
    names = {p.name for p in app_dir.iterdir() if (p / "__init__.py").is_file()}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(app_dir.rglob("*.py")):
        parts = path.relative_to(app_dir.parent).with_suffix("").parts
        if len(parts) < 3 or parts[1] not in names:
            continue  # app/main.py, app/cli.py …: where the app is assembled
        package = ".".join(parts[:-1])
        for line, module in _imported(path, package):
            target = module.split(".")
            if target[0] == "app" and len(target) > 1 and target[1] in names - {parts[1]}:
                edges[(parts[1], target[1])].append(f"{path.relative_to(app_dir.parent)}:{line}")
    return dict(edges)


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one domain (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_every_domain_has_a_layer() -> None:
    assert [d for d in domains() if d not in LAYER_OF] == []
    assert [d for d in LAYER_OF if d not in domains()] == []


def test_no_import_cycles_between_domains() -> None:
    assert cycles(import_graph()) == []


def test_domains_import_only_lower_layers() -> None:
    upward = {
        f"{a} -> {b}": where
        for (a, b), where in import_graph().items()
        if LAYER_OF.get(b, -1) >= LAYER_OF.get(a, -1)
    }
    assert upward == {}


def test_no_core_domain_imports_the_talent_box() -> None:
    into_optional = {a: where for (a, b), where in import_graph().items() if b == OPTIONAL}
    assert into_optional == {}


def test_the_checks_catch_a_cycle_and_a_hidden_import(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    for name, source in {
        "scoring": "from app.talentbox import repository\n",
        "talentbox": "def late():\n    from app import scoring\n",
        "kit": "from . import ids\n",
    }.items():
        (app_dir / name).mkdir(parents=True)
        (app_dir / name / "__init__.py").write_text("")
        (app_dir / name / "mod.py").write_text(source)
    edges = import_graph(app_dir)
    assert edges == {
        ("scoring", "talentbox"): ["app/scoring/mod.py:1"],
        ("talentbox", "scoring"): ["app/talentbox/mod.py:2"],
    }
    assert cycles(edges) == [["scoring", "talentbox"]]


def test_the_app_wires_the_talent_box_into_the_core_hooks(monkeypatch) -> None:
    from app.main import create_app
    from app.privacy import holders
    from app.scoring import selfview
    from app.talentbox import personal_data
    from app.talentbox import selfview as talentbox_selfview

    monkeypatch.setattr(holders, "registered", [])
    monkeypatch.setattr(selfview, "box_lookups", [])
    create_app()
    assert holders.registered == [personal_data.HOLDER]
    assert selfview.box_lookups == [talentbox_selfview.released_box]
