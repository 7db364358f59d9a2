"""``python -m kamnb`` runs the command line."""
from kamnb.cli import main

raise SystemExit(main())
