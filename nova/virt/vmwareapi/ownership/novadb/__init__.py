"""nova's databases: the only code that imports nova's objects, database
and context. Each module reads (or moves) nova's records through nova's
objects into the plain values of ``nova_records``; ``loader`` imports them
only when a command needs nova, and ``exceptions`` imports no nova.
"""
