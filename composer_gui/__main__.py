import sys

from composer_gui.cli import main

sys.exit(main())
