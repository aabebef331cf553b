"""The ``fsre-bench`` command line."""
