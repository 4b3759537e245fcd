"""``python -m brugdata`` runs the command line."""

from brugdata.cli import main

main()
