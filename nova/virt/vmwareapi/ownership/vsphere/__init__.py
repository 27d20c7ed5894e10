"""The vSphere boundary: the only code that imports oslo.vmware, suds or
requests (``vcenter``), the store of one cluster's record in vCenter
(``store``), the reading of every cluster (``fleet``), nova's ``[vmware]``
options (``vmware_opts``) and the VIM client's cache (``wsdl``).
"""
