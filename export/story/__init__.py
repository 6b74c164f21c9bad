"""Story rendering: the Markdown chapters, their math, claims and scrollytelling, into HTML."""
