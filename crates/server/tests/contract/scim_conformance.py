"""scim2-tester (python-scim), the outside SCIM 2.0 conformance tester, against a running
server: discovery, then create, read (attributes and excludedAttributes too), replace,
PATCH add / replace / remove and delete of Users and Groups, as the server's own
Schemas describe them. Prints every result that is not a success; exits 1 when any
check errs, or when too few ran to mean anything.

    python scim_conformance.py http://127.0.0.1:PORT/scim/v2 path/to/scim.secret
"""

import sys
from collections import Counter

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

# Fewer successes than this means whole families of checks did not run.
MIN_SUCCESSES = 50


def main() -> int:
    url, secret_file = sys.argv[1], sys.argv[2]
    with open(secret_file) as f:
        secret = f.readline().strip()
    http = Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    results = check_server(SyncSCIMClient(http))
    counts = Counter(r.status.name for r in results)
    for r in results:
        if r.status != Status.SUCCESS:
            print(f"{r.status.name}: {r.title} {r.resource_type or ''}: {r.reason}")
    print("scim2-tester:", ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items())))
    failed = sum(n for s, n in counts.items() if s not in ("SUCCESS", "SKIPPED"))
    return 1 if failed or counts["SUCCESS"] < MIN_SUCCESSES else 0


if __name__ == "__main__":
    sys.exit(main())
