import sys

from dtws.cli import main

sys.exit(main())
