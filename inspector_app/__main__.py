import sys

from inspector_app.cli import main

sys.exit(main())
