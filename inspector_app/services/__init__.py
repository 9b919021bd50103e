"""Use cases shared by the command line and the app: screens and commands call these."""
