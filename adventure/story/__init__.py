"""Story files: YAML folders read into the model, every problem with its file, line and column."""
