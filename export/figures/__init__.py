"""Figure baking: the story's figures computed at build time by the site's own model and sampling Python."""
