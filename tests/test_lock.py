"""The hash-pinned lock files agree with pyproject.toml (scripts/lock.sh refreshes them), and
the set-up installs from them."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = ROOT / "requirements/runtime.txt"
DEV = ROOT / "requirements/dev.txt"


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Package → (exact version, its hashes), from a `uv pip compile --generate-hashes` file."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())  # the continuation lines joined
    result: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        if not line or line[0] in "# -":
            continue
        requirement, *hashes = line.split(" --hash=")
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)(\s*;.*)?", requirement.strip())
        assert match, f"{path.name}: not an exact pin: {line}"
        result[canonicalize_name(match[1])] = (match[2], [h.strip() for h in hashes])
    return result


def pins(requirements: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for text in requirements:
        requirement = Requirement(text)
        [spec] = requirement.specifier  # pyproject.toml pins exactly
        assert spec.operator == "==", text
        result[canonicalize_name(requirement.name)] = spec.version
    return result


MAIN = pins(PROJECT["project"]["dependencies"])
EXTRAS = pins(PROJECT["project"]["optional-dependencies"]["test"]) | pins(
    PROJECT["project"]["optional-dependencies"]["bench"]
)


@pytest.mark.parametrize(("lock", "wanted"), [(RUNTIME, MAIN), (DEV, MAIN | EXTRAS)])
def test_the_lock_holds_every_pin_of_pyproject(lock: Path, wanted: dict[str, str]) -> None:
    have = locked(lock)
    differ = {name: (version, have.get(name, ("missing",))[0]) for name, version in wanted.items()}
    assert {n: v for n, v in differ.items() if v[0] != v[1]} == {}, "run bash scripts/lock.sh"


def test_the_runtime_lock_holds_no_test_tool() -> None:
    only_dev = set(EXTRAS) - set(MAIN)
    assert only_dev and not only_dev & set(locked(RUNTIME))


@pytest.mark.parametrize("lock", [RUNTIME, DEV])
def test_every_package_has_hashes_and_the_build_backend_is_locked(lock: Path) -> None:
    have = locked(lock)
    for name, (_, hashes) in have.items():
        assert hashes and all(h.startswith("sha256:") for h in hashes), name
    for text in PROJECT["build-system"]["requires"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in have and requirement.specifier.contains(have[name][0]), text


def test_install_script_installs_from_the_lock_with_hashes() -> None:
    script = (ROOT / "scripts/install.sh").read_text()
    assert "lock=requirements/dev.txt" in script
    assert 'pip install --quiet --require-hashes -r "$lock"' in script
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in script
    assert 'stamp=.venv/.installed-$(cat "$lock" pyproject.toml' in script  # a new lock reinstalls
