"""The call record, its statuses, and the bulk-list query with its filter grammar."""
