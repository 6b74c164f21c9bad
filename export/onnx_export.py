"""Export a GPT-2-family checkpoint to ONNX with optimum, cached by what went into it.

The cache key covers the weights' fingerprint, the export settings and the tool versions,
so changing any of them exports again while an unchanged build reuses the files.
"""
import hashlib
import json
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from export.errors import BuildError
from export.source import ModelSource

TASK = "text-generation-with-past"  # with-past: the browser reuses the KV cache between steps
MODEL_FILE = "model.onnx"
TOKENIZER_FILES = ("vocab.json", "merges.txt")
TOOLS = ("optimum-onnx", "optimum", "transformers", "torch", "onnx", "onnxruntime")
DONE_MARKER = "export.json"


@dataclass(frozen=True)
class ExportSettings:
    task: str = TASK
    opset: int = 18
    variant: str = "fp32"


def tool_versions() -> dict:
    return {name: metadata.version(name) for name in TOOLS}


def cache_key(source: ModelSource, settings: ExportSettings) -> str:
    blob = json.dumps({"model": source.fingerprint, "settings": asdict(settings),
                       "tools": tool_versions()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def export_model(source: ModelSource, cache_root: Path, settings: ExportSettings = ExportSettings()):
    """Return the directory holding ``model.onnx`` and the tokenizer files, exporting if not cached."""
    target = Path(cache_root) / cache_key(source, settings)
    if (target / DONE_MARKER).is_file():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    # Export into a scratch directory beside the cache entry and rename it into place, so an
    # interrupted export never leaves a half-written entry that a later build would trust.
    scratch = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        _run_optimum(source, scratch, settings)
        for name in TOKENIZER_FILES:
            shutil.copyfile(source.path / name, scratch / name)
        record = {"model": source.spec, "fingerprint": source.fingerprint,
                  "settings": asdict(settings), "tools": tool_versions()}
        (scratch / DONE_MARKER).write_text(json.dumps(record, indent=2))
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    except OSError as exc:
        raise BuildError(f"export failed writing to {cache_root}: {exc.strerror or exc}; "
                         "free some disk space or pass --cache-dir on another disk") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target, True


def _run_optimum(source: ModelSource, out_dir: Path, settings: ExportSettings):
    from optimum.exporters.onnx import main_export
    from transformers.utils import logging as hf_logging

    work = out_dir / "optimum"
    hf_logging.set_verbosity_error()
    try:
        # Tracing GPT-2 prints pages of TracerWarnings that say nothing about this export.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            main_export(str(source.path), output=str(work), task=settings.task, opset=settings.opset,
                        library_name="transformers", do_validation=False)
    except (ValueError, KeyError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise BuildError(f"--model {source.spec}: optimum could not export it ({first_line[:200]}); "
                         "check that the checkpoint loads with transformers") from None
    for produced in work.iterdir():
        if produced.name.startswith(MODEL_FILE):  # model.onnx and, for big models, model.onnx_data
            produced.rename(out_dir / produced.name)
    shutil.rmtree(work)
