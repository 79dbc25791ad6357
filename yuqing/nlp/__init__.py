"""Text processing: normalization, segmentation, keyword rules, models and the tagger."""
