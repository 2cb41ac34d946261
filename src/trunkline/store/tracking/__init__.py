"""Call tracking in the store: properties (``properties``), tracking numbers (``numbers``), a row per
tracked call kept in step with calls (``observer``), the two rollups that answer Get Calls'
TotalCount and deep Results_Skip (``rollups``), and Get Calls' list query (``call_lists``).

A tracked call is an inbound call to a tracking number. ``TrackingObserver`` writes its row in the
transaction that stores the call (attribution snapshot, geography, repeat flag) and fills in the
outcome in the engine batch that ends it, adding it to ``tracked_call_counts`` then. Only rows with
an outcome are listed, so the rollup and the lists always agree.
"""
