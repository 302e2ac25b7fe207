"""The resident registry: households at buildings and the people in them, with ID
numbers and phones encrypted at rest and masked on every output."""
