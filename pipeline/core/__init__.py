"""The pure processing core: decoding, PDF layout, normalization, sentence splitting, tokenizing and
document metadata. Nothing here imports Dagster, so every piece is testable with plain pytest."""
