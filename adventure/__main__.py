import sys

from adventure.cli.main import main

sys.exit(main())
