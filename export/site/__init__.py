"""Site assembly: the pages, assets, runtimes and manifest.json, built in a temporary directory and swapped in; and a local server."""
