"""vCenter's VIM WSDL: fetched within bounds (``fetch``), its client built
and pickled (``client``), kept on disk between runs (``cache``).
"""
