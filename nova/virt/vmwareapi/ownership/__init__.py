"""nova-vmware-owner: a vCenter cluster carries the name of the nova-compute
host that owns it.

The compute driver ``vmwareapi.ownership.driver.VMwareVCDriver`` tags the
cluster at start and refuses to run against a cluster owned by another
host; ``nova-vmware-owner`` shows, checks and moves ownership.
"""
