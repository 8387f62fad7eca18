"""Realistic, deterministic demo data in the suppliers' five-file CSV format.

    from customers.demo_data import generate_dataset
    counts = generate_dataset(Path("var/demo-data"), customers=1000, seed=7, with_personas=True)

Customers are drawn from four hidden personas (see `personas.py`), so their
fields, contacts and notification engagement hang together; `personas.csv`
holds the ground truth for measuring segmentation.
"""

from customers.demo_data.personas import PERSONAS, SEGMENT_FOR_PERSONA
from customers.demo_data.writer import DEFAULT_AS_OF, HEADERS, PERSONAS_FILE, generate_dataset

__all__ = ["DEFAULT_AS_OF", "HEADERS", "PERSONAS", "PERSONAS_FILE", "SEGMENT_FOR_PERSONA", "generate_dataset"]
