"""One dynamic partition per document; the key is the doc_id (a prefix of the file's sha256),
so partitions follow content, not file names."""

import dagster as dg

documents_partitions = dg.DynamicPartitionsDefinition(name="documents")
