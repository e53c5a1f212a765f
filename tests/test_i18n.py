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


# --- Indonesian text outside the catalogue ------------------------------------------------------
# Catalogue msgids are English, so Indonesian words in a string literal of app/ are text the
# catalogue never sees: a person reading it in English (`--lang en`, the English page) would get
# Indonesian. The scan looks at every string constant that is not a docstring and not the msgid
# of N_/_/gettext, for words only Indonesian uses.
INDONESIAN_WORDS = """
    tidak baris kolom harus berhasil dibuat sudah belum wajib ditulis diimpor peserta sesi
    berkas atau dan yang untuk dari dengan ada bukan acara butir galat peringatan soal dibaca
    dalam tanpa sebagai dapat bisa akan sedang masih telah pada oleh ini itu tersebut boleh
    silakan gagal disimpan dihapus diunggah ditolak diterima dikirim paket hasil nilai lebih
    kurang semua setiap formulir menit lihat lokasi pusat terdaftar kunci rantai"""
INDONESIAN = frozenset(INDONESIAN_WORDS.split())
MSGID_CALLS = {"N_", "_", "gettext"}
# Strings in Indonesian on purpose, each with its reason.
INDONESIAN_BY_DESIGN = {
    # Question content, like the bank's items: the practice item is in the language of the test.
    "app/delivery/practice.py",
}
# Values an import file may hold, read as codes (the talent box's verification status).
INDONESIAN_VALUES = {"belum diverifikasi"}
# URL paths and download names inside markup or headers are addresses, not prose.
ADDRESS = re.compile(r'/[\w\-/{}.]*|filename="[^"]*')


def _is_code_or_path(text: str) -> bool:
    """One token (no space): a URL path, a file's column name, a stored code ('sesi',
    'hasil_kerja', 'belum', '/ujian/soal/'). Those are the same in every language."""
    return not any(c.isspace() for c in text.strip()) or text.lstrip().startswith("/")


def indonesian_literals(path: str, tree: ast.Module) -> list[tuple[str, int, str]]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # docstrings
        if isinstance(node, ast.Call) and _callee(node) in MSGID_CALLS:
            skip.update(id(a) for a in node.args)
    found = []
    for node in ast.walk(tree):  # breadth first: an f-string before its parts
        if isinstance(node, ast.JoinedStr):
            # An f-string is read whole ("kunci {code} dikoreksi" is prose, its part "kunci "
            # alone would pass as one token); its values stand in as "{}".
            parts = [v for v in node.values if isinstance(v, ast.Constant)]
            skip.update(id(v) for v in parts)
            text = "".join(
                str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if id(node) in skip or _is_code_or_path(text) or text in INDONESIAN_VALUES:
            continue
        prose = ADDRESS.sub("", text)
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", prose)}
        if words & INDONESIAN:
            found.append((path, node.lineno, text[:60]))
    return found


def test_no_indonesian_text_outside_the_catalogue() -> None:
    found = [
        hit
        for path, tree in app_trees().items()
        if path not in INDONESIAN_BY_DESIGN
        for hit in indonesian_literals(path, tree)
    ]
    assert found == [], "an English N_ msgid, Indonesian in the catalogue:\n" + "\n".join(
        map(str, found)
    )


def test_the_scan_finds_indonesian_text() -> None:
    code = '''
"""Dokumen modul: tidak dihitung."""
console.print(f"Acara {code} dibuat: {n} peserta baru")
problem = N_("row %(row)s: not valid")
path = "/ujian/soal/"
column = "hasil_kerja"
label = "Menghapus per batch dari berkas"
note = f"kunci {code} dikoreksi menjadi {key}"
name = f"berita-acara-{code}.csv"
'''
    found = sorted(line for _, line, _ in indonesian_literals("x.py", ast.parse(code)))
    assert found == [3, 7, 8]
