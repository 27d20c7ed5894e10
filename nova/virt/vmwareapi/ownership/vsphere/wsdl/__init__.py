"""The VIM WSDL our sessions are built on: the reduced one shipped with
the package (``reduced``), and the check that refuses an answer it cannot
read.
"""
