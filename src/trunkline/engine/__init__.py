"""The engine layer: scheduler, carriers, webhook delivery, seeding."""
