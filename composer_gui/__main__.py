import multiprocessing
import sys

if __name__ == "__main__":
    # the frozen app: a spawned worker process (the score view's engraver) starts here
    multiprocessing.freeze_support()
    from composer_gui.cli import main

    sys.exit(main())
