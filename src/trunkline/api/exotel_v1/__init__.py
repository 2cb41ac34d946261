"""The Exotel Voice v1 dialect: routes, parameter parsing and JSON/XML rendering over the shared store."""
