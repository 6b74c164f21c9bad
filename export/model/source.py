"""Where the model comes from: a Hugging Face Hub id or a local checkpoint directory.

Either way the result is a local directory plus a fingerprint that names exactly these
weights (the Hub's commit sha, or a hash of the local files), so exports can be cached. A Hub
model can be pinned to a revision (``--revision``: a commit, branch or tag); the commit the
build used is recorded in manifest.json (``model.revision``) either way.
"""
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from export.model import random_model
from export.errors import BuildError

DEFAULT_MODEL = "openai-community/gpt2"
# Everything an export reads from a checkpoint; the rest of a Hub repo (other frameworks'
# weights, ONNX files, READMEs) is never downloaded.
CHECKPOINT_PATTERNS = ["config.json", "generation_config.json", "*.safetensors", "*.json", "merges.txt"]
GPT2_FAMILY = {"gpt2"}  # model_type of gpt2, distilgpt2, gpt2-medium/large/xl
HUB_TIMEOUT_S = 10
COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class ModelSource:
    spec: str          # what the user passed to --model
    path: Path         # local directory holding the checkpoint
    fingerprint: str   # Hub commit sha, or sha256 of the local files
    revision: str | None = None  # the Hub commit exported; None for a local directory

    @property
    def name(self) -> str:
        """What the site may print: the Hub id, ``random``, or a local directory's own name
        (never a path of the build machine)."""
        return self.path.resolve().name if self.path == Path(self.spec).expanduser() else self.spec


def resolve(spec: str, revision: str | None = None, cache_dir=None) -> ModelSource:
    """Turn ``--model`` into a local checkpoint directory, downloading from the Hub if needed;
    ``revision`` pins a Hub model to a commit, branch or tag; ``random`` makes GPT-2 small with
    random weights under ``cache_dir`` (export/model/random_model.py)."""
    path = Path(spec).expanduser()
    if revision and (path.exists() or spec.startswith((".", "/", "~")) or spec == random_model.SPEC):
        what = "made locally" if spec == random_model.SPEC else "a local directory"
        raise BuildError(f"--revision {revision}: --model {spec} is {what}, which has no revisions; "
                         "drop --revision, or pass a Hugging Face Hub id")
    if spec == random_model.SPEC and not path.exists():
        path = random_model.ensure(Path(cache_dir or ".cache"))
        source = ModelSource(spec, path, _hash_directory(path))
    elif path.exists() or spec.startswith((".", "/", "~")):
        source = ModelSource(spec, path, _hash_directory(path))
    else:
        source = _from_hub(spec, revision)
    check_gpt2_family(source)
    return source


def check_gpt2_family(source: ModelSource) -> dict:
    """Read and check config.json; return it. Raises BuildError for anything not GPT-2-shaped."""
    config_path = source.path / "config.json"
    try:
        config = json.loads(config_path.read_text())
    except (OSError, ValueError) as exc:
        raise BuildError(f"--model {source.spec}: cannot read config.json ({exc.__class__.__name__}); "
                         "pass a GPT-2 checkpoint directory saved with save_pretrained()") from None
    if config.get("model_type") not in GPT2_FAMILY:
        raise BuildError(f"--model {source.spec}: model_type is {config.get('model_type')!r}, not a "
                         "GPT-2-family model; pass gpt2, distilgpt2, gpt2-medium or a checkpoint like them")
    for name in ("vocab.json", "merges.txt"):
        if not (source.path / name).is_file():
            raise BuildError(f"--model {source.spec}: no {name}; save the GPT-2 tokenizer with the model "
                             "(tokenizer.save_pretrained(dir))")
    if not any(source.path.glob("*.safetensors")) and not any(source.path.glob("pytorch_model*.bin")):
        raise BuildError(f"--model {source.spec}: no weights (*.safetensors or pytorch_model.bin) found")
    return config


def _hash_directory(path: Path) -> str:
    if not path.is_dir():
        raise BuildError(f"--model {path}: no such directory; pass a Hub id (e.g. {DEFAULT_MODEL}) "
                         "or a checkpoint directory")
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0")
        digest.update(file_sha256(file).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _from_hub(repo_id: str, revision: str | None = None) -> ModelSource:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import (HfHubHTTPError, HFValidationError, RepositoryNotFoundError,
                                        RevisionNotFoundError)
    from requests.exceptions import RequestException

    try:
        # A full commit names the weights already (and a snapshot of it in the local Hub cache
        # serves an offline build); a branch, a tag or nothing is resolved to its commit first.
        if not (revision and COMMIT.fullmatch(revision)):
            revision = HfApi().model_info(repo_id, revision=revision, timeout=HUB_TIMEOUT_S).sha
        path = snapshot_download(repo_id, revision=revision, allow_patterns=CHECKPOINT_PATTERNS)
    except RevisionNotFoundError:
        raise BuildError(f"--revision {revision}: {repo_id} has no such commit, branch or tag on the "
                         "Hugging Face Hub; check it on the model's page (Files and versions)") from None
    except HFValidationError:
        raise BuildError(f"--model {repo_id}: no such directory, and not a Hugging Face Hub id "
                         "(namespace/name); check the path or the id") from None
    except RepositoryNotFoundError:
        raise BuildError(f"--model {repo_id}: no such model on the Hugging Face Hub; check the id, "
                         "or pass a local checkpoint directory") from None
    except (RequestException, HfHubHTTPError, OSError) as exc:
        raise BuildError(f"cannot reach the Hugging Face Hub to fetch {repo_id} "
                         f"({exc.__class__.__name__}); pass a local checkpoint with --model PATH, or build "
                         "from GPT-2 small with random weights, made locally, with --model random") from None
    return ModelSource(repo_id, Path(path), revision, revision)
