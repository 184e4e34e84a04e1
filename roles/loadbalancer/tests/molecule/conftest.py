"""test_loadbalancer.py is a testinfra module for a molecule scenario with a loadbalancers group.

Copy it into that scenario's tests/ folder. Outside molecule (a plain `pytest roles/`) it is not
collected, since it needs molecule's inventory.
"""

import os

collect_ignore = [] if os.environ.get("MOLECULE_INVENTORY_FILE") else ["test_loadbalancer.py"]
