from adventure.cli.main import entry

entry()
