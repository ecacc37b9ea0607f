"""The ``eccc`` command line: the only package that imports every driver."""
