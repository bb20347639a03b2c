"""The `eventforge` command line (click): the pipeline commands in main.py, the spec edits, the
agent commands, and their shared text and JSON output with the exit codes.

The top layer: it may import every other package, and none imports it.
"""
