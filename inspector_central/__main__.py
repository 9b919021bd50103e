import sys

from inspector_central.cli import main

sys.exit(main())
