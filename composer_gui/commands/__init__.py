"""One module per ``composer-gui`` subcommand: ``add_parser(subparsers)`` and ``run(args)``."""
