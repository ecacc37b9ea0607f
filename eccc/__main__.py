import sys

from eccc.cli import main

sys.exit(main())
