"""``doctor``: the verdict of each check from what was measured
(``checks``), the fencing probe over a store (``probe``) and the report's
text (``report``). Pure: the measuring is ``vsphere.preflight``'s and
``novadb``'s, the order of the checks the command's (``cli.doctor``).
"""
