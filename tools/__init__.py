"""Repository tools: not part of the yuqing package and not shipped in the wheel."""
