"""One module per screen; each is a thin view over core calls run through the task runner."""
