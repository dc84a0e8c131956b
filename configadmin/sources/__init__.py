"""The two file layers: the defaults file and the legacy settings.py, read with `ast`, never executed."""
