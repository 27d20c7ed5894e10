"""``list``: every cluster of a vCenter joined with nova's records
(``join``), where they disagree (``disagreement``), as text (``report``)
and as Prometheus metrics (``metrics``).
"""
