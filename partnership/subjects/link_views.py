"""Red flags: linking sightings, Safe Space uses and welfare notes to subjects."""
