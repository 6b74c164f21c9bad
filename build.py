#!/usr/bin/env python3
"""Build the nexttoken site: export GPT-2 to ONNX, render the story, copy the runtimes.

    python build.py                      # build dist/ from openai-community/gpt2
    python build.py --model ./my-gpt2    # a local GPT-2-family checkpoint instead
    python build.py --model random       # GPT-2 small with random weights, made locally (no Hub)
    python build.py --revision COMMIT    # pin the Hub model to a commit (or a branch or tag)
    python build.py --webgpu q4h8        # what readers with a GPU run (default auto; none: WebAssembly only)
    python build.py serve                # build, then serve on http://127.0.0.1:8000/
"""
import argparse
import sys
from pathlib import Path

from export.errors import BuildError
from export.model.onnx_export import VARIANT_CHOICES, WEBGPU_CHOICES, ExportSettings
from export.model.source import DEFAULT_MODEL
from export.paths import CACHE, DIST
from export.site.build import build, serve


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help=f"Hugging Face Hub id, local checkpoint directory, or 'random' (GPT-2 small with "
                             f"random weights, made locally; no Hub needed) (default {DEFAULT_MODEL})")
    parser.add_argument("--revision", default=None,
                        help="pin a Hub model to this commit, branch or tag (default: the latest commit); "
                             "the commit used is recorded in manifest.json")
    parser.add_argument("--out", type=Path, default=DIST, help="output directory (default dist/)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE / "exports",
                        help="where exported models are kept between builds")
    parser.add_argument("--variant", choices=VARIANT_CHOICES, default="auto",
                        help="model weights: auto (default) picks the first variant, by memory at run time "
                             "then download, whose fidelity to float32 meets the bar (docs/export.md)")
    parser.add_argument("--webgpu", choices=WEBGPU_CHOICES, default="auto",
                        help="what readers with a GPU run on WebGPU: auto (default) takes the --variant's own "
                             "WebGPU graph, or else the first faithful 4-/8-bit variant with its own shards; "
                             "none runs WebAssembly everywhere (docs/export.md)")
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default 8000)")
    args = parser.parse_args(argv)
    build_args = {"model": args.model, "revision": args.revision or None, "out": args.out, "cache_dir": args.cache_dir,
                  "export_settings": ExportSettings(variant=args.variant), "webgpu": args.webgpu}
    try:
        if args.command == "serve":
            serve(port=args.port, **build_args)
        else:
            build(**build_args)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
