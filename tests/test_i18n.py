"""Every user-visible string goes through translations and has an Indonesian one."""

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def extracted_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"N_": None, "_": None, "gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def indonesian() -> dict:  # plural messages: a tuple of ids, a list of translations
    with (ROOT / "app/locale/id/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and "fuzzy" not in m.flags}


def test_every_string_in_code_and_templates_has_an_indonesian_translation() -> None:
    catalog = indonesian()
    missing = sorted(m for m in extracted_messages() if not catalog.get(m))
    assert missing == [], "run scripts/i18n.sh and translate: " + repr(missing)


def test_translations_keep_their_placeholders() -> None:
    for message, translation in indonesian().items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation)), (
            message
        )


# Names and symbols that are the same in every language (a language is named in its own
# language; statistics use their usual symbols).
NAMES = ("ProASN CAT", "Bahasa Indonesia", "English")
SYMBOLS = {"UTC", "SD", "SE", "SEM", "PC", "csv", "xlsx", "ndjson", "CSV", "XLSX"}


def test_templates_have_no_untranslated_literal_text() -> None:
    """Text between tags in templates must come from {{ _(...) }} or data."""
    offenders = []
    for path in [*(ROOT / "templates").glob("*.html"), *(ROOT / "templates").glob("*/*.html")]:
        text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "", path.read_text(), flags=re.S)
        for chunk in re.findall(r">([^<>]+)<", text):
            if "=" in chunk:
                continue
            bare = chunk
            for name in NAMES:
                bare = bare.replace(name, "")
            words = [w for w in re.findall(r"[^\W\d_]{2,}", bare) if w not in SYMBOLS]
            if words:
                offenders.append((path.name, chunk.strip()))
    assert offenders == []


# --- messages in Python code ------------------------------------------------------------------
# What a person reads (a refusal, an action's outcome, a flash after a redirect, an error page
# or JSON message) is a catalogue message: an English msgid marked with N_, rendered in the
# page's language. A literal handed to one of these is text no catalogue holds, shown in the
# same words on every page whatever the language.
MESSAGE_ARGUMENT = {"redirect_with": 1, "Outcome": 1, "back": 1, "_refusal_page": 2}
MESSAGE_KEYS = {"message", "error"}


def _is_literal_text(node: ast.AST | None) -> bool:
    """A string written in the code (or built from one), rather than a catalogue message."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and re.search(r"[^\W\d_]{2,}", node.value) is not None
    if isinstance(node, ast.JoinedStr):
        return any(_is_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal_text(node.body) or _is_literal_text(node.orelse)
    return False


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _bases(tree: ast.Module) -> dict[str, set[str]]:
    return {
        node.name: {_callee(ast.Call(func=b, args=[], keywords=[])) or "" for b in node.bases}
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }


def refusal_classes(trees: list[ast.Module]) -> set[str]:
    """Every class that derives from app.kit.errors.Refusal, by name."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for name, parents in _bases(tree).items():
            bases.setdefault(name, set()).update(parents)
    found = {"Refusal"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def literal_messages(trees: dict[str, ast.Module]) -> list[tuple[str, int, str]]:
    refusals = refusal_classes(list(trees.values()))
    offenders = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            suspects: list[ast.expr | None] = []
            if isinstance(node, ast.Call):
                name = _callee(node)
                if name in refusals and node.args:
                    suspects.append(node.args[0])
                position = MESSAGE_ARGUMENT.get(name or "")
                if position is not None and len(node.args) > position:
                    suspects.append(node.args[position])
                suspects += [k.value for k in node.keywords if k.arg in MESSAGE_KEYS]
            elif isinstance(node, ast.Dict):
                suspects += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value in MESSAGE_KEYS
                ]
            elif isinstance(node, ast.Assign):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                if names & MESSAGE_KEYS:
                    suspects.append(node.value)
            offenders += [
                (path, s.lineno, ast.unparse(s)[:60])
                for s in suspects
                if s is not None and _is_literal_text(s)
            ]
    return offenders


def app_trees() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(ROOT)): ast.parse(path.read_text())
        for path in sorted((ROOT / "app").rglob("*.py"))
    }


def test_messages_in_python_code_are_catalogue_messages() -> None:
    offenders = literal_messages(app_trees())
    assert offenders == [], "mark with N_ and translate: " + "\n".join(map(str, offenders))


def test_the_check_catches_literal_messages() -> None:
    code = """
class Refused(Refusal): ...
class Later(Refused): ...
raise Later(f"{n} peserta masih mengerjakan")
raise Refused(N_("Fine."))
redirect_with("/talenta", "dirilis" if changed else "sudah dirilis")
redirect_with(f"/talenta/run/{n}", translate(DONE))
Outcome(True, "sesi dibuka")
JSONResponse({"code": "x", "message": "Silakan masuk."})
message = "Formulir kedaluwarsa"
"""
    found = sorted(line for _, line, _ in literal_messages({"x.py": ast.parse(code)}))
    assert found == [4, 6, 8, 9, 10]
