"""The Dockerfile, checked by reading it (no Docker engine on these machines)."""

import re
import tomllib
from pathlib import Path

from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[dict]:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return parser.structure


def stages() -> list[list[dict]]:
    result: list[list[dict]] = []
    for instruction in instructions():
        if instruction["instruction"] == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def test_multi_stage_build_with_named_stages() -> None:
    froms = [i["value"] for i in instructions() if i["instruction"] == "FROM"]
    assert len(froms) >= 2
    assert all(" AS " in f.upper() for f in froms)


def test_runtime_runs_as_a_non_root_user() -> None:
    final = stages()[-1]
    users = [i["value"].strip() for i in final if i["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0")
    entry = [i for i in final if i["instruction"] in ("ENTRYPOINT", "CMD")]
    user_line = max(i["startline"] for i in final if i["instruction"] == "USER")
    assert all(i["startline"] > user_line for i in entry)


def test_entrypoint_runs_migrations_then_uvicorn() -> None:
    final = stages()[-1]
    [entrypoint] = [i["value"] for i in final if i["instruction"] == "ENTRYPOINT"]
    script_path = re.search(r'"([^"]+)"', entrypoint)
    assert script_path is not None
    copies = [i["value"] for i in final if i["instruction"] == "COPY"]
    source = next(c.split()[-2] for c in copies if c.split()[-1] == script_path.group(1))
    script = (ROOT / source).read_text()
    commands = [
        line.strip() for line in script.splitlines() if line.strip() and not line.startswith("#")
    ]
    migrate_at = next(n for n, c in enumerate(commands) if c.startswith("proasn db upgrade"))
    serve_at = next(
        n for n, c in enumerate(commands) if c.startswith("exec uvicorn app.main:create_app")
    )
    assert migrate_at < serve_at
    # uvicorn's --proxy-headers trusts 127.0.0.1's X-Forwarded-For: the app decides instead
    # (PROASN_TRUSTED_PROXIES), so a client cannot pick the address its guesses count against.
    assert "--no-proxy-headers" in commands[serve_at].split()


def test_every_local_copy_source_exists() -> None:
    for instruction in instructions():
        if instruction["instruction"] != "COPY" or "--from=" in instruction["value"]:
            continue
        parts = [p for p in instruction["value"].split() if not p.startswith("--")]
        for source in parts[:-1]:
            assert (ROOT / source).exists(), f"COPY source missing: {source}"


def test_python_version_matches_the_project() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(x) for x in requires.removeprefix(">=").split("."))
    pythons = re.findall(r"FROM python:(\d+)\.(\d+)", (ROOT / "Dockerfile").read_text())
    assert pythons and all((int(a), int(b)) >= minimum for a, b in pythons)


def test_htmx_comes_from_the_npm_lock_not_the_repository() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "npm ci" in text and "node_modules/htmx.org/dist/htmx.min.js" in text
    assert (
        not (ROOT / "app/web/static/vendor").exists()
        or "app/web/static/vendor" in (ROOT / ".dockerignore").read_text()
    )


def test_source_tree_is_importable_first_in_the_image() -> None:
    final = stages()[-1]
    workdir = [i["value"] for i in final if i["instruction"] == "WORKDIR"][-1]
    env = " ".join(i["value"] for i in final if i["instruction"] == "ENV")
    assert f"PYTHONPATH={workdir}" in env


def _build_stage() -> list[dict]:
    [stage] = [s for s in stages() if "pip install" in " ".join(i["value"] for i in s)]
    return stage


def test_dependencies_install_from_the_lock_before_the_code_is_copied() -> None:
    """A change to app/ must not rebuild the dependency layer: the lock is copied and
    installed (hash-checked) before `COPY app`, and the project after it adds nothing."""
    stage = _build_stage()
    lock = "requirements/runtime.txt"
    assert (ROOT / lock).exists()
    runs = [i for i in stage if i["instruction"] == "RUN" and "pip install" in i["value"]]
    [deps] = [i for i in runs if "--require-hashes" in i["value"].split()]
    assert f"-r {lock}" in deps["value"]
    [lock_copy] = [i for i in stage if i["instruction"] == "COPY" and lock in i["value"]]
    [app_copy] = [i for i in stage if i["instruction"] == "COPY" and i["value"].startswith("app ")]
    assert lock_copy["startline"] < deps["startline"] < app_copy["startline"]
    # Every other pip install brings no dependency of its own: nothing outside the lock.
    for run in runs:
        if run is not deps:
            assert "--no-deps" in run["value"].split(), run["value"]
            assert run["startline"] > app_copy["startline"]
