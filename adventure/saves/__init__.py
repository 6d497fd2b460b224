"""Save files: a pure format (dict <-> save), migration to a changed story, and atomic file IO."""
