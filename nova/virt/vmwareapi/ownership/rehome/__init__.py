"""``rehome``: the pure plan of moving a cluster's nova records to a new
host (``plan``) and its refusals (``exceptions``).
"""
