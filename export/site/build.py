"""build(): the whole site in one pass, like mkdocs' build: read and check every source, export the
model, then write the site into a temporary directory and swap it in. ``serve`` wraps it."""
import shutil
import tempfile
from pathlib import Path

from export.errors import BuildError
from export.figures import bake
from export.model.onnx_export import ExportSettings, export_model, export_webgpu, tool_versions
from export.model.source import DEFAULT_MODEL, resolve
from export.paths import CACHE, CONTENT, DIST, NODE_MODULES, SITE_SRC
from export.site import assets
from export.site.manifest import (build_manifest, describe_graph, download_bytes, loaded_files, sampling_schema,
                                  stamp_build_id, write_manifest)
from export.site.site_model import copy_model, model_entry
from export.story import render


def build(model=DEFAULT_MODEL, out=DIST, cache_dir=CACHE / "exports", log=print,
          export_settings=ExportSettings(), revision=None, webgpu="auto"):
    """Build the whole site into ``out``; nothing in ``out`` changes unless every step succeeds.
    ``webgpu``: what a WebGPU reader runs (``export.model.onnx_export.export_webgpu``)."""
    out = Path(out)
    _check_output_dir(out)
    # Read and check every source before writing anything.
    config = render.load_config(CONTENT)
    chapters = render.collect_chapters(CONTENT, config)
    documents = render.collect_documents(CONTENT, config)
    env = render.make_environment(SITE_SRC / "templates")
    assets.check_vendor(NODE_MODULES)
    source = resolve(model, revision, cache_dir=Path(cache_dir))
    export = export_model(source, Path(cache_dir), export_settings)
    log(f"model: {source.spec}, variant {export.variant} ({'exported' if export.fresh else 'cached export'} "
        f"in {export.dir})")
    why = (" (--variant auto: tried by memory at run time, then download; the first faithful one is chosen)"
           if export_settings.variant == "auto" else "")
    log(f"fidelity to the float32 model on the fixed test texts{why}:\n" + "\n".join(export.report))
    gpu_export, gpu_report = export_webgpu(source, Path(cache_dir), export_settings, export, webgpu)
    log(f"WebGPU graph (--webgpu {webgpu}):\n" + "\n".join(gpu_report))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
    try:
        manifest = _write_site(staging, source, export, gpu_export, config, chapters, documents, env,
                               bake_cache=Path(cache_dir), log=log)
        _replace_dir(staging, out)
    except OSError as exc:
        raise BuildError(f"writing the site beside {out} failed: {exc.strerror or exc}; free some disk "
                         "space or choose another --out") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    on_gpu = f", {sum(f['bytes'] for f in loaded_files(manifest, 'webgpu').values()) / 1e6:.1f} MB on WebGPU" \
        if manifest["onnx"]["webgpu"] else ""
    log(f"built {out}: a reader who loads the model downloads {download_bytes(manifest) / 1e6:.1f} MB on "
        f"WebAssembly{on_gpu}")
    return manifest


def _write_site(site, source, export, gpu_export, config, chapters, documents, env, bake_cache=None, log=print):
    onnx_file, shards, tokenizer, webgpu = copy_model(site, export, gpu_export)
    assets.copy_static(SITE_SRC, site, config.get("pages", ["index.html"]))
    python_files = assets.copy_python(SITE_SRC, site)
    vendored = assets.copy_vendor(NODE_MODULES, site, webgpu=webgpu is not None)

    manifest = build_manifest(site, model_entry(source, export), onnx_file, shards, describe_graph(site / onnx_file),
                              tokenizer, python_files, vendored, tool_versions(), sampling_schema(site / "assets/python"),
                              webgpu=webgpu)
    write_manifest(site, manifest)  # the bakers read it; its build_id comes once the pages exist

    # The story's figures are baked from the site's own model files (export/figures/bake.py).
    figures, check = bake.bake(site, chapters, cache_dir=bake_cache, log=log)
    untrained = None if check["trained"] else check
    if untrained:
        log(f"warning: {manifest['model']['name']} looks untrained: {check['reason']}; every page "
            "says so, and the story's claims are only warnings")
    context = {"site": config, "manifest": manifest, "chapters": [], "fig": figures, "untrained": untrained,
               "warnings": [], "model_facts": bake.model_facts(manifest), "download_bytes": download_bytes(manifest)}
    context["chapters"] = [{"slug": c.slug, "title": c.title, "html": render.render_chapter(env, c, context)}
                           for c in chapters]
    context.update({key: render.render_chapter(env, doc, context) for key, doc in documents.items()})
    for warning in context["warnings"]:  # claims that do not hold on an untrained model
        log(warning)
    for page in config.get("pages", ["index.html"]):  # assets/shell.json lists them too
        (site / page).write_text(render.render_page(env, page, context), encoding="utf-8")
    stamp_build_id(site, manifest)
    return manifest


def _check_output_dir(out: Path):
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise BuildError(f"--out {out} is not empty and holds no earlier build; choose an empty "
                         "or new directory (the build replaces its contents)")


def _replace_dir(new: Path, out: Path):
    """Swap the finished build into place, keeping the old one until the new one is there."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        out.rename(old / "site")
    new.rename(out)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def serve(port=8000, **build_args):
    from export.site.server import make_server

    build(**build_args)
    server = make_server(build_args.get("out", DIST), port=port, quiet=False)
    print(f"serving http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
