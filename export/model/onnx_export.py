"""Export a GPT-2-family checkpoint to ONNX variants, cached by what went into each.

Two cache levels under ``cache_root``:

- ``optimum-<key>/``: optimum's plain float32 export (``text-generation-with-past``), keyed by
  the weights' fingerprint, task, opset and tool versions. It is also the float32 reference
  that every variant's fidelity is measured against.
- ``<key>/``: one finished variant (deduplicated, maybe quantized, sharded) plus the tokenizer
  and ``export.json`` (settings, shards, size, fidelity), keyed by all of the above plus the
  variant and the shard size.

A changed key exports again; an unchanged one is reused. Entries are written in a scratch
directory and renamed into place, so an interrupted export never leaves one a later build trusts.
"""
import errno
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path

from export.model import fidelity
from export.model import shard
from export.errors import BuildError
from export.model.quantize import AUTO_ORDER, RUNS_AS, VARIANTS, WEBGPU_ORDER, quantize_model
from export.model.source import ModelSource
from export.model.last_position import keep_last_position
from export.model.webgpu import WEBGPU_FILE, write_webgpu_graph

TASK = "text-generation-with-past"  # with-past: the browser reuses the KV cache between steps
MODEL_FILE = shard.MODEL_FILE
TOKENIZER_FILES = ("vocab.json", "merges.txt")
TOOLS = ("optimum-onnx", "optimum", "transformers", "torch", "onnx", "onnxruntime")
DONE_MARKER = "export.json"
VARIANT_CHOICES = ("auto",) + VARIANTS
# What a WebGPU reader runs (--webgpu): "auto", none, or a variant with a WebGPU graph.
WEBGPU_CHOICES = ("auto", "none") + WEBGPU_ORDER
# The modules that turn optimum's export into a variant: editing one invalidates cached variants.
RECIPE = [Path(__file__).with_name(f"{name}.py") for name in ("dedup", "quantize", "blockq", "shard", "webgpu", "last_position")]


@dataclass(frozen=True)
class ExportSettings:
    task: str = TASK
    opset: int = 18
    variant: str = "auto"                # "auto": the first of AUTO_ORDER that is faithful
    shard_bytes: int = shard.SHARD_BYTES


@dataclass
class Export:
    dir: Path               # model.onnx, its shards, the tokenizer, export.json
    record: dict            # export.json: variant, shards, bytes, fidelity, settings, tools
    fresh: bool             # whether anything was exported in this call
    report: list = field(default_factory=list)  # fidelity report lines, one per variant tried

    @property
    def variant(self) -> str:
        return self.record["settings"]["variant"]

    @property
    def faithful(self) -> bool:
        """Judged now, not when cached, so a changed bar applies to cached exports too."""
        return fidelity.Fidelity.from_dict(self.record["fidelity"]).faithful


def tool_versions() -> dict:
    return {name: metadata.version(name) for name in TOOLS}


def cache_key(source: ModelSource, settings: ExportSettings, recipe: bool = True) -> str:
    """What an export depends on: the weights, the settings, the tools, and (``recipe``) the
    code that rewrites, quantizes and shards it."""
    blob = {"model": source.fingerprint, "settings": asdict(settings), "tools": tool_versions()}
    if recipe:
        blob["recipe"] = hashlib.sha256(b"".join(p.read_bytes() for p in RECIPE)).hexdigest()
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:16]


def export_model(source: ModelSource, cache_root: Path, settings: ExportSettings = ExportSettings()) -> Export:
    """Return the export for ``settings``; with variant "auto", the smallest faithful one."""
    if settings.variant not in VARIANT_CHOICES:
        raise BuildError(f"--variant {settings.variant}: unknown; choose one of {', '.join(VARIANT_CHOICES)}")
    candidates = AUTO_ORDER if settings.variant == "auto" else (settings.variant,)
    # Nothing faithful: the last candidate (float32 under auto) is the closest there is.
    return _first(source, Path(cache_root), settings, candidates)


def export_webgpu(source: ModelSource, cache_root: Path, settings: ExportSettings, wasm: Export,
                  choice: str = "auto") -> tuple:
    """``(export, report)``: the export whose WebGPU graph (``model.webgpu.onnx``, 4-/8-bit
    kernels) a WebGPU reader runs, or None (every reader runs ``wasm`` on WebAssembly), and the
    build log's lines on it. "auto": ``wasm`` itself when it has one (the same shards), else the
    first faithful variant of WEBGPU_ORDER that has a WebGPU graph (with its own shards, which
    only WebGPU readers download), else None; a variant's name: that one, faithful or not
    (a BuildError if it has no WebGPU graph); "none": None."""
    if choice not in WEBGPU_CHOICES:
        raise BuildError(f"--webgpu {choice}: unknown; choose one of {', '.join(WEBGPU_CHOICES)}")
    if choice == "none":
        return None, ["  none (--webgpu none): every reader runs WebAssembly"]
    if choice in ("auto", wasm.variant) and wasm.record.get("webgpu"):
        return wasm, [f"  {wasm.variant}: the WebAssembly variant's own WebGPU graph, on the same shards"]
    candidates = WEBGPU_ORDER if choice == "auto" else (choice,)
    # A variant gets a WebGPU graph only if some matrix is a whole number of its blocks.
    usable = (lambda e: e.faithful and e.record.get("webgpu")) if choice == "auto" else (lambda e: True)
    gpu = _first(source, Path(cache_root), replace(settings, variant=candidates[0]), candidates, usable,
                 fallback=False)
    if not gpu.record.get("webgpu") and choice != "auto":
        raise BuildError(f"--webgpu {choice}: no matrix of this model is a whole number of {choice}'s blocks, so "
                         "it has no WebGPU graph; choose --webgpu auto or none")
    if not usable(gpu):
        return None, [*gpu.report, f"  none is faithful with a WebGPU graph: WebGPU readers run {wasm.variant} "
                                   "on WebAssembly"]
    return gpu, [*gpu.report, f"  {gpu.variant} on its own shards, which only WebGPU readers download"]


def _first(source, cache_root: Path, settings: ExportSettings, candidates: tuple,
           accept=lambda export: export.faithful, fallback: bool = True):
    """Export ``candidates`` in order until ``accept`` takes one and return it (or, none being
    taken, the last one), with the report of every one tried; the returned one is marked as
    chosen unless none was taken and ``fallback`` is False (it is then only the last tried)."""
    reference = _Reference(source, cache_root, settings)
    results, fresh, chosen = {}, False, None
    for variant in candidates:
        chosen = _export_variant(source, cache_root, replace(settings, variant=variant), reference)
        results[variant], fresh = chosen.record, fresh or chosen.fresh
        if accept(chosen):
            break
    mark = chosen.variant if fallback or accept(chosen) else None
    chosen.fresh, chosen.report = fresh, fidelity.report_lines(results, mark, RUNS_AS)
    return chosen


class _Reference:
    """optimum's float32 export and the fidelity texts, made or loaded only when needed."""

    def __init__(self, source, cache_root, settings):
        self.source, self.cache_root, self.settings = source, cache_root, settings
        self._session = self._tokens = None

    @property
    def dir(self) -> Path:
        base = replace(self.settings, variant="optimum", shard_bytes=0)
        target = self.cache_root / f"optimum-{cache_key(self.source, base, recipe=False)}"
        if not (target / DONE_MARKER).is_file():
            with _scratch(target) as scratch:
                _run_optimum(self.source, scratch, self.settings)
                (scratch / DONE_MARKER).write_text(json.dumps({"model": self.source.spec}))
        return target

    def measure(self, export_dir: Path, shards: list) -> fidelity.Fidelity:
        from onnxruntime import InferenceSession

        if self._session is None:
            self._session = InferenceSession(str(self.dir / MODEL_FILE), providers=["CPUExecutionProvider"])
            n_ctx = json.loads((self.source.path / "config.json").read_text()).get("n_positions", 1024)
            self._tokens = fidelity.encode_texts(self.source.path, n_ctx)
        candidate = shard.inference_session(export_dir / MODEL_FILE, [export_dir / s for s in shards])
        return fidelity.measure(self._session, candidate, self._tokens)


def _export_variant(source, cache_root: Path, settings: ExportSettings, reference: _Reference) -> Export:
    target = cache_root / cache_key(source, settings)
    if (target / DONE_MARKER).is_file():
        return Export(target, json.loads((target / DONE_MARKER).read_text()), fresh=False)
    import onnx

    model = onnx.load(str(reference.dir / MODEL_FILE))
    model = quantize_model(model, settings.variant)
    with _scratch(target) as scratch:
        shards = shard.save_sharded(model, scratch, settings.shard_bytes)
        del model
        fidelity_ = reference.measure(scratch, shards).as_dict()  # every position of each prefill
        keep_last_position(scratch / MODEL_FILE)  # then the head on the last one only
        # The WebGPU graph reads the same shards with 4-/8-bit kernels (blocked variants only).
        gpu = WEBGPU_FILE if write_webgpu_graph(scratch / MODEL_FILE, scratch / WEBGPU_FILE) else None
        for name in TOKENIZER_FILES:
            shutil.copyfile(source.path / name, scratch / name)
        size = sum((scratch / name).stat().st_size for name in [MODEL_FILE, *shards])
        record = {"model": source.spec, "fingerprint": source.fingerprint, "settings": asdict(settings),
                  "tools": tool_versions(), "shards": shards, "bytes": size, "webgpu": gpu,
                  "fidelity": fidelity_}
        (scratch / DONE_MARKER).write_text(json.dumps(record, indent=2))
    return Export(target, record, fresh=True)


class _scratch:
    """A scratch directory beside ``target`` that becomes ``target`` if the block succeeds."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self) -> Path:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=".export-", dir=self.target.parent))
        except OSError as exc:
            raise _disk_error(self.target.parent, exc) from None
        return self.path

    def __exit__(self, kind, exc, tb):
        try:
            if kind is None:
                shutil.rmtree(self.target, ignore_errors=True)
                self.path.rename(self.target)
        except OSError as error:
            exc = error
        finally:
            shutil.rmtree(self.path, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _disk_error(self.target.parent, exc) from None
        return False


DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def _disk_full(exc: Exception) -> bool:
    """Also when a library reports it in words (torch's and safetensors' Rust write errors)."""
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        return True
    return any(f"os error {code})" in str(exc) or os.strerror(code) in str(exc) for code in DISK_FULL)


def _disk_error(where: Path, exc: Exception) -> BuildError:
    reason = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[0][:200]
    return BuildError(f"export failed writing to {where}: {reason}; "
                      "free some disk space or pass --cache-dir on another disk")


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
    except Exception as exc:  # transformers, safetensors and torch raise many types for bad checkpoints
        if _disk_full(exc):
            raise _disk_error(out_dir.parent, exc) from None
        raise _unexportable(source, exc) from None
    for produced in work.iterdir():
        if produced.name.startswith(MODEL_FILE):  # model.onnx and, for big models, model.onnx_data
            produced.rename(out_dir / produced.name)
    shutil.rmtree(work)


def _unexportable(source, exc) -> BuildError:
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else exc.__class__.__name__
    return BuildError(f"--model {source.spec}: optimum could not export it ({first_line[:200]}); "
                      "check that the checkpoint loads with transformers")
