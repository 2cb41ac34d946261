"""Tables of the call store (SQLAlchemy Core), one module per feature, all on ``catalog.metadata``.
Changes go through an Alembic migration too.

Importing the package imports every feature module, so whichever table a caller asks for,
``catalog.metadata`` holds them all: Alembic's env.py and the migration test compare every table.
"""

from trunkline.store.schema import (  # noqa: F401  (each module registers its tables)
    accounts,
    agents,
    call_rollups,
    call_runs,
    calls,
    flows,
    meta,
    numbering,
    phone,
    processes,
    recordings,
    sync,
    tracking,
    traffic,
    webhooks,
)
