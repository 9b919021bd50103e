import sys

from inspector_app.launcher import main

sys.exit(main())
