"""Build-time Python (CPython only): model export, story rendering, asset copying.

``build.py`` at the project root strings these together; nothing here runs in the browser.
"""
