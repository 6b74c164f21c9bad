"""Build-time Python (CPython only), one package per subsystem:

- ``export.model``: a GPT-2 checkpoint exported to ONNX, quantized, sharded, its fidelity measured;
- ``export.story``: the Markdown chapters rendered to HTML (math, claims, scrollytelling);
- ``export.figures``: the story's figures baked by the site's own model and sampling Python;
- ``export.site``: the pages, assets and manifest.json assembled, and ``build()`` that runs it all.

``build.py`` at the project root is only the command line; nothing here runs in the browser.
"""
