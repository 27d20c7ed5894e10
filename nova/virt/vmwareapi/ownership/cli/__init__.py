"""The operator command ``nova-vmware-owner``: ``main`` parses, runs and
maps errors to exit codes; one module per command group declares its
arguments beside its handler (``cluster``, ``rehome``, ``fleet``), on the
one ``context``; ``render`` and ``console`` talk to the operator.
"""
