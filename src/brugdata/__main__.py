"""``python -m brugdata`` runs the command line."""

from brugdata.cli.app import main

main()
