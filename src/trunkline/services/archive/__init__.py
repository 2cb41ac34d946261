"""Getting calls out of a store and into one: ``export`` writes an account's calls to a file,
``sync`` pulls an account's history from another Exotel v1 server (Exotel or Trunkline) into this
store, so the calls outlive the source's retention window."""
