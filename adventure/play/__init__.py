"""Playing: the session that both front ends share, line mode for pipes, the terminal, live reload."""
