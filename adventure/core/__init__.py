"""The pure engine: the story model, the game state, expressions, commands and the step function.

Nothing here touches the world: no files, no printing, no clock, no randomness from outside.
"""

APP = "metallic-rouge"  # the name the game's per-user folders (data, saves, cache) go under
