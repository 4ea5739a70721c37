"""The partitions of every per-document asset: a fixed set of buckets of documents
(pipeline/buckets.py), never one partition per document."""

import dagster as dg

from pipeline.buckets import bucket_keys

bucket_partitions = dg.StaticPartitionsDefinition(bucket_keys())
