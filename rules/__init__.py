"""Built-in rule modules: one per scheme, one per funder, with dated parameters as YAML."""
