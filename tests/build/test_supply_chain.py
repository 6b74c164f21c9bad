"""The supply chain: Python dependencies installed from lock files with hashes, and the Pages
workflow's actions pinned by commit."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"


def locked(name):
    """{package: (version, [hashes])} of a lock file written by `make lock`."""
    entries, current = {}, None
    for line in (LOCKS / name).read_text().splitlines():
        if match := re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line):
            current = match[1].lower().replace("_", "-")
            entries[current] = (match[2], [])
        elif match := re.search(r"--hash=sha256:([0-9a-f]{64})", line):
            entries[current][1].append(match[1])
    return entries


def pins(group):
    """{package: version} that pyproject.toml's dependency group pins, included groups too."""
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    out = {}
    for item in groups[group]:
        if isinstance(item, dict):
            out.update(pins(item["include-group"]))
        else:
            name, version = item.split("==")
            out[name.lower()] = version
    return out


def test_every_pin_is_locked_with_hashes():
    torch = locked("torch.lock")
    assert list(torch) == ["torch"]  # installed alone from PyTorch's index, nothing else with it
    for group in ("build", "test"):
        lock = {**locked(f"{group}.lock"), **torch}
        for name, version in pins(group).items():
            assert name in lock, f"{name} is in pyproject.toml's {group} group but not locked: run make lock"
            # torch's CPU wheel carries a local version (2.13.0+cpu) for the pin 2.13.0
            assert lock[name][0].split("+")[0] == version, f"{name}: locked {lock[name][0]}, pinned {version}"
        assert all(hashes for _, hashes in lock.values()), f"{group}: an entry without a hash"
    assert set(locked("build.lock")) <= set(locked("test.lock"))


def test_make_installs_from_the_locks_only():
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line and "$(PY)" in line]
    # the project itself, editable: nothing downloaded (no dependencies, no build isolation)
    project = [line for line in installs if line.rstrip().endswith(" -e .")]
    assert len(project) == 1 and "--no-deps" in project[0] and "--no-build-isolation" in project[0]
    installs.remove(project[0])
    assert installs and all("--require-hashes" in line and "-r requirements/" in line for line in installs)
    # PyTorch's index serves torch alone: never an extra index for the other packages
    torch_index = [line for line in installs if "TORCH_INDEX" in line]
    assert len(torch_index) == 1 and "--no-deps" in torch_index[0] and "torch.lock" in torch_index[0]
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "EXTRA_INDEX" not in workflow and "extra-index" not in workflow


def test_workflow_actions_are_pinned_by_commit():
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    uses = re.findall(r"uses:\s*(\S+)", workflow)
    assert len(uses) == 7
    for action in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), f"{action} is not pinned to a commit"
