"""Where the project's sources are: one definition, used by every build step."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"              # the story's Markdown and site.toml
SITE_SRC = ROOT / "site_src"            # templates, JS, CSS, the service worker
PACKAGE = SITE_SRC / "python"           # the Python the page runs (nexttoken)
NODE_MODULES = ROOT / "node_modules"    # the vendored runtimes (npm ci)
DIST = ROOT / "dist"                    # the default output
CACHE = ROOT / ".cache"                 # exports and baked figures, kept between builds
